// Where the Nessus client streams an export download: the client reads the body, keeps the
// size cap and the deadline, and hands the bytes to a sink it is given (ExportFile stores
// them in a file; tests may keep them in memory). The client never touches files itself.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

namespace sw::nessus {

class ExportSink {
 public:
  // A sink destroyed before finish() succeeded discards what it was given.
  virtual ~ExportSink() = default;
  // The next bytes of the body, in order. May wait while earlier bytes are still being
  // stored (back-pressure: the download pauses). Throws core::Error when they cannot be.
  virtual boost::asio::awaitable<void> write(std::string_view bytes) = 0;
  // The body is complete: keeps it, durably. Throws core::Error when it cannot.
  virtual boost::asio::awaitable<void> finish() = 0;
};

}  // namespace sw::nessus
