// ScannerClient: the Nessus REST client of one scanner instance (docs/nessus-client.md), the
// ScannerApi over HTTP. It puts together the call layer (calls.hpp: retries, re-login,
// error mapping), the session (session.hpp: login or API keys, X-API-Token, folder and
// templates), the scan calls (scan_control.hpp) and the exports (exports.hpp, streamed into
// a sink the caller gives). Calls may interleave as coroutines on one event loop.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "config/scanners.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::nessus {

class ScannerClient final : public ScannerApi {
 public:
  // Throws core::Error(bad_input) for a bad URL or an unreadable CA file.
  ScannerClient(boost::asio::any_io_executor executor, config::ScannerConfig scanner, ClientOptions options = {});
  ~ScannerClient() override;
  ScannerClient(const ScannerClient&) = delete;
  ScannerClient& operator=(const ScannerClient&) = delete;

  boost::asio::awaitable<std::string> server_status() override;
  boost::asio::awaitable<std::int64_t> create_scan(const NewScan& scan) override;
  boost::asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(std::string name) override;
  boost::asio::awaitable<std::string> launch_scan(std::int64_t scan_id) override;
  boost::asio::awaitable<RunState> run_state(std::int64_t scan_id, std::string run_uuid) override;
  boost::asio::awaitable<std::string> current_run_uuid(std::int64_t scan_id) override;
  boost::asio::awaitable<void> stop_scan(std::int64_t scan_id) override;
  boost::asio::awaitable<void> delete_scan(std::int64_t scan_id) override;
  boost::asio::awaitable<std::vector<ScanListEntry>> list_scans() override;
  boost::asio::awaitable<std::uint64_t> export_scan(std::int64_t scan_id, std::unique_ptr<ExportSink> sink,
                                                    std::uint64_t max_bytes,
                                                    std::chrono::milliseconds timeout) override;
  boost::asio::awaitable<void> logout() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sw::nessus
