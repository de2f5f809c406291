// REDIS_URL parsing.
#include "queue/redis_url.hpp"

#include <charconv>

#include "core/errors.hpp"

namespace sw::queue {

namespace {

[[noreturn]] void reject(const std::string& why) { throw core::Error(core::ErrorKind::bad_input, "REDIS_URL: " + why); }

int parse_number(std::string_view text, const char* what, int min, int max) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    reject(std::string("bad ") + what + " '" + std::string(text) + "'");
  }
  return value;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding for the user-info part (passwords may contain reserved characters).
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void parse_user_info(std::string_view user_info, RedisEndpoint& endpoint) {
  const auto colon = user_info.find(':');
  if (colon == std::string_view::npos) {
    // redis://password@host is how some clients spell a password without a user.
    endpoint.password = percent_decode(user_info);
    return;
  }
  endpoint.username = percent_decode(user_info.substr(0, colon));
  endpoint.password = percent_decode(user_info.substr(colon + 1));
}

void parse_query(std::string_view query, RedisEndpoint& endpoint) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (key == "db") {
      endpoint.database = parse_number(value, "database", 0, 1 << 20);
    } else if (key == "password") {
      endpoint.password = percent_decode(value);
    } else if (key == "username" || key == "user") {
      endpoint.username = percent_decode(value);
    } else {
      reject("unknown parameter '" + std::string(key) + "'");
    }
  }
}

RedisEndpoint parse_unix(std::string_view rest) {
  RedisEndpoint endpoint;
  endpoint.transport = RedisEndpoint::Transport::unix_socket;
  const auto question = rest.find('?');
  endpoint.socket_path = std::string(rest.substr(0, question));
  if (endpoint.socket_path.empty() || endpoint.socket_path.front() != '/') {
    reject("unix:// needs an absolute socket path (unix:///path/to/redis.sock)");
  }
  if (question != std::string_view::npos) {
    parse_query(rest.substr(question + 1), endpoint);
  }
  return endpoint;
}

RedisEndpoint parse_tcp(std::string_view rest, bool tls) {
  RedisEndpoint endpoint;
  endpoint.tls = tls;
  // The user-info ends at the last '@' (a host never holds one). Everything before it is
  // secret: checked here and never quoted in a message.
  const auto at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view user_info = rest.substr(0, at);
    if (user_info.find_first_of("/?#") != std::string_view::npos) {
      reject(
          "the user name or password holds an unencoded '/', '?' or '#'; percent-encode them "
          "(%2F, %3F, %23, and '@' as %40)");
    }
    parse_user_info(user_info, endpoint);
    rest = rest.substr(at + 1);
  }
  const auto question = rest.find('?');
  std::string_view query;
  if (question != std::string_view::npos) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      endpoint.database = parse_number(db, "database", 0, 1 << 20);
    }
  }
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // [ipv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      reject("unterminated IPv6 address");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        reject("unexpected text after the IPv6 address");
      }
      endpoint.port = parse_number(after.substr(1), "port", 1, 65535);
    }
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      endpoint.port = parse_number(authority.substr(colon + 1), "port", 1, 65535);
    }
  }
  if (host.empty()) {
    reject("missing host");
  }
  endpoint.host = std::string(host);
  parse_query(query, endpoint);
  return endpoint;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  const std::string bracketed = host.find(':') == std::string::npos ? host : "[" + host + "]";
  std::string text = transport == Transport::tcp
                         ? (tls ? "rediss://" : "redis://") + bracketed + ":" + std::to_string(port)
                         : "unix://" + socket_path;
  if (database != 0) {
    text += (transport == Transport::tcp ? "/" : "?db=") + std::to_string(database);
  }
  return text;
}

RedisEndpoint parse_redis_url(std::string_view url) {
  constexpr std::string_view kRedis = "redis://";
  constexpr std::string_view kRedisTls = "rediss://";
  constexpr std::string_view kUnix = "unix://";
  if (url.starts_with(kRedis)) {
    return parse_tcp(url.substr(kRedis.size()), false);
  }
  if (url.starts_with(kRedisTls)) {
    return parse_tcp(url.substr(kRedisTls.size()), true);
  }
  if (url.starts_with(kUnix)) {
    return parse_unix(url.substr(kUnix.size()));
  }
  reject("expected redis://host:port[/db], rediss://host:port[/db] or unix:///path (scheme missing or unknown)");
}

}  // namespace sw::queue
