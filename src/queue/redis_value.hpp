// A Redis reply as an owned value, so that no hiredis object leaves the queue module.
#pragma once

#include <string>
#include <vector>

namespace sw::queue {

// One reply, owned.
struct RedisValue {
  enum class Type { nil, integer, string, status, array };
  Type type = Type::nil;
  long long integer = 0;
  std::string text;                  // string and status
  std::vector<RedisValue> elements;  // array

  bool is_nil() const { return type == Type::nil; }
  // The integer of an integer reply; throws core::Error(internal) for another type.
  long long as_integer() const;
  // The text of a string/status reply; throws core::Error(internal) for another type.
  const std::string& as_string() const;
};

}  // namespace sw::queue
