// The export calls of the Nessus client: ask the scanner for a .nessus export of a scan's
// latest run (again while it answers 409 for a run not finished), poll until the file is
// ready, and stream the download into the ExportSink the caller gives, within a size cap
// and a deadline. A failure the scanner reports for an export asks for a new export.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "nessus/calls.hpp"
#include "nessus/export_sink.hpp"

namespace sw::nessus {

class Exports {
 public:
  explicit Exports(Calls& calls) : calls_(calls) {}

  // See ScannerApi::export_scan.
  boost::asio::awaitable<std::uint64_t> export_scan(std::int64_t scan_id, std::unique_ptr<ExportSink> sink,
                                                    std::uint64_t max_bytes, std::chrono::milliseconds timeout);

 private:
  using Clock = std::chrono::steady_clock;

  boost::asio::awaitable<std::int64_t> start_export(std::int64_t scan_id, const std::string& what,
                                                    Clock::time_point deadline);
  boost::asio::awaitable<void> wait_until_ready(const std::string& file_path, std::int64_t file,
                                                const std::string& what, Clock::time_point deadline);
  boost::asio::awaitable<std::uint64_t> download(const std::string& file_path, std::int64_t file,
                                                 const std::string& what, ExportSink& sink, std::uint64_t max_bytes,
                                                 Clock::time_point deadline);
  // Waits `delay` (less when the deadline is nearer) and returns the next delay; throws
  // `at_deadline` once the deadline has passed.
  boost::asio::awaitable<std::chrono::milliseconds> wait_before_next_poll(std::chrono::milliseconds delay,
                                                                          Clock::time_point deadline,
                                                                          const std::string& what,
                                                                          const core::Error& at_deadline);
  core::Error export_failed(std::string_view what, std::int64_t file, const Reply& reply) const;

  Calls& calls_;
};

}  // namespace sw::nessus
