// ScannerClient: the ScannerApi over the call layer, session, scan calls and exports of one
// scanner; see scanner_client.hpp.
#include "nessus/scanner_client.hpp"

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "nessus/calls.hpp"
#include "nessus/exports.hpp"
#include "nessus/protocol.hpp"
#include "nessus/scan_control.hpp"
#include "nessus/session.hpp"

namespace sw::nessus {

namespace asio = boost::asio;

// The parts refer to each other and to the configuration: built in this order, never moved.
struct ScannerClient::Impl {
  Impl(asio::any_io_executor executor, config::ScannerConfig config, ClientOptions opts)
      : scanner(std::move(config)),
        options(std::move(opts)),
        calls(executor, scanner, options, session),
        session(executor, calls),
        scans(calls, session),
        exports(calls) {}

  config::ScannerConfig scanner;
  ClientOptions options;
  Calls calls;
  Session session;
  ScanControl scans;
  Exports exports;
};

ScannerClient::ScannerClient(asio::any_io_executor executor, config::ScannerConfig scanner, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(scanner), std::move(options))) {}

ScannerClient::~ScannerClient() = default;

asio::awaitable<std::string> ScannerClient::server_status() {
  const std::string what = "server status";
  const Call status_call{"GET", "/server/status", {}, what, false, true};
  auto reply = Calls::take(co_await impl_->calls.call(status_call));
  // A loading server answers 503 with {"status":"loading"}: that is the answer, not a failure.
  const auto status = json_string(member(nlohmann::json::parse(reply.body, nullptr, false), "status"));
  if (!status.empty()) {
    co_return status;
  }
  throw reply.ok() ? impl_->calls.error(core::ErrorKind::server, what, "response without status", reply.status)
                   : impl_->calls.http_error(reply, what);
}

asio::awaitable<std::int64_t> ScannerClient::create_scan(const NewScan& scan) { return impl_->scans.create_scan(scan); }

asio::awaitable<std::optional<std::int64_t>> ScannerClient::find_scan_by_name(std::string name) {
  co_return co_await impl_->scans.find_scan_by_name(name);
}

asio::awaitable<std::string> ScannerClient::launch_scan(std::int64_t scan_id) {
  return impl_->scans.launch_scan(scan_id);
}

asio::awaitable<RunState> ScannerClient::run_state(std::int64_t scan_id, std::string run_uuid) {
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->scans.read_scan(scan_id, what);
  co_return run_state_of(details, run_uuid);
}

asio::awaitable<std::string> ScannerClient::current_run_uuid(std::int64_t scan_id) {
  const auto what = "read scan " + std::to_string(scan_id);
  const auto details = co_await impl_->scans.read_scan(scan_id, what);
  co_return current_run_uuid_of(details);
}

asio::awaitable<void> ScannerClient::stop_scan(std::int64_t scan_id) { return impl_->scans.stop_scan(scan_id); }

asio::awaitable<void> ScannerClient::delete_scan(std::int64_t scan_id) { return impl_->scans.delete_scan(scan_id); }

asio::awaitable<std::vector<ScanListEntry>> ScannerClient::list_scans() { return impl_->scans.list_scans(); }

asio::awaitable<std::uint64_t> ScannerClient::export_scan(std::int64_t scan_id, std::unique_ptr<ExportSink> sink,
                                                          std::uint64_t max_bytes, std::chrono::milliseconds timeout) {
  return impl_->exports.export_scan(scan_id, std::move(sink), max_bytes, timeout);
}

asio::awaitable<void> ScannerClient::logout() { return impl_->session.logout(); }

}  // namespace sw::nessus
