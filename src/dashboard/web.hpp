// The small web toolkit of the dashboard: HTML escaping (every value from a task, a scan or a
// request goes through escape before it reaches a page), URL encoding for links, and the
// parsing of query strings, form bodies and the Cookie header, each bounded.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sw::dashboard {

// & < > " ' as entities: safe in element text and in quoted attribute values.
std::string escape(std::string_view text);

// Percent-encoding of everything but unreserved characters, for a query value in a link.
std::string url_encode(std::string_view text);

// "a=1&b=x+y" -> {a: "1", b: "x y"}; a repeated name keeps its last value. At most
// `max_fields` fields (the rest ignored); malformed escapes are kept as written.
std::map<std::string, std::string> parse_form(std::string_view text, std::size_t max_fields = 64);

// The query string of a request target ("/ui/tasks?page=2" -> "page=2"), and its path.
std::string_view query_of(std::string_view target);
std::string_view path_of(std::string_view target);

// The value of cookie `name` in a Cookie header, empty when absent.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace sw::dashboard
