// The dashboard's script and stylesheet (src/dashboard/assets/), compiled into the program
// so that it serves them itself: no CDN, nothing to install beside it.
#pragma once

#include <string_view>

namespace sw::dashboard {

std::string_view app_js();
std::string_view style_css();

}  // namespace sw::dashboard
