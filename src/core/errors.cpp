// Names and retry classes of error kinds.
#include "core/errors.hpp"

namespace sw::core {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::network:
      return "network";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::auth:
      return "auth";
    case ErrorKind::not_found:
      return "not_found";
    case ErrorKind::conflict:
      return "conflict";
    case ErrorKind::client:
      return "client";
    case ErrorKind::server:
      return "server";
    case ErrorKind::api_disabled:
      return "api_disabled";
    case ErrorKind::bad_input:
      return "bad_input";
    case ErrorKind::internal:
      return "internal";
    case ErrorKind::redis:
      return "redis";
  }
  return "internal";
}

bool is_transient(ErrorKind kind) {
  return kind == ErrorKind::network || kind == ErrorKind::timeout || kind == ErrorKind::server;
}

}  // namespace sw::core
