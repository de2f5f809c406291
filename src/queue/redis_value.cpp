// RedisValue accessors.
#include "queue/redis_value.hpp"

#include "core/errors.hpp"

namespace sw::queue {

using core::Error;
using core::ErrorKind;

long long RedisValue::as_integer() const {
  if (type != Type::integer) {
    throw Error(ErrorKind::internal, "redis: expected an integer reply");
  }
  return integer;
}

const std::string& RedisValue::as_string() const {
  if (type != Type::string && type != Type::status) {
    throw Error(ErrorKind::internal, "redis: expected a string reply");
  }
  return text;
}

}  // namespace sw::queue
