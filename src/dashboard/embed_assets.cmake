# Writes ${OUTPUT}: a C++ file defining sw::dashboard::app_js() and style_css() from the
# files in ${ASSETS_DIR}, as raw string literals (run by the build whenever they change).
file(READ ${ASSETS_DIR}/app.js app_js)
file(READ ${ASSETS_DIR}/style.css style_css)
foreach(text IN ITEMS "${app_js}" "${style_css}")
  string(FIND "${text}" ")asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "an asset contains the raw-string delimiter )asset\"")
  endif()
endforeach()
file(WRITE ${OUTPUT} "// Generated from src/dashboard/assets by embed_assets.cmake: do not edit.
#include \"dashboard/assets.hpp\"

namespace sw::dashboard {

std::string_view app_js() {
  return R\"asset(${app_js})asset\";
}

std::string_view style_css() {
  return R\"asset(${style_css})asset\";
}

}  // namespace sw::dashboard
")
