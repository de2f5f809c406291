// For tests: a Nessus scanner in memory behind the ScannerApi seam. Each scan's runs go
// through a scripted list of statuses (one step per listing, as time passes between a
// worker's polls; the last one repeats);
// knobs make calls fail the way real scanners do, and counters tell what the worker asked.
// An export streams a generated .nessus file (exportgen) into the sink it is given, so that
// validation runs for real.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "exportgen/export_writer.hpp"
#include "nessus/export_sink.hpp"
#include "nessus/scanner_api.hpp"

namespace sw::worker::testing {

class FakeScanner final : public nessus::ScannerApi {
 public:
  struct Scan {
    std::string name;
    std::string status = "empty";
    std::string uuid;       // of the latest run ("" before the first launch)
    std::size_t steps = 0;  // listings seen by the latest run
  };

  // Knobs.
  std::vector<std::string> run_statuses{"running", "completed"};
  int create_failures = 0;          // create_scan throws Error(network) this many times first
  int export_failures = 0;          // export_scan throws Error(server) this many times first
  bool export_stalls = false;       // export_scan writes the first piece, then waits until it is cancelled
  std::function<void()> on_export;  // when an export begins: interrupt a task...
  std::function<void(std::int64_t scan_id)> on_run_state;  // before each answer: move a clock, interrupt a task...
  exportgen::ExportSpec export_spec = default_export();

  // Observations.
  std::map<std::int64_t, Scan> scans;
  int creates = 0, launches = 0, stops = 0, exports = 0;

  static exportgen::ExportSpec default_export() {
    exportgen::ExportSpec spec;
    spec.targets = "192.0.2.20";
    spec.hosts.emplace_back("192.0.2.20", "192.0.2.20", exportgen::HostAuth::not_attempted, 5);
    return spec;
  }

  boost::asio::awaitable<std::string> server_status() override { co_return "ready"; }

  boost::asio::awaitable<std::int64_t> create_scan(const nessus::NewScan& scan) override {
    if (create_failures > 0) {
      --create_failures;
      throw core::Error(core::ErrorKind::network, "create: connection reset (fake)");
    }
    ++creates;
    const std::int64_t id = static_cast<std::int64_t>(scans.size()) + 101;
    scans[id].name = scan.name;
    co_return id;
  }

  boost::asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(std::string name) override {
    for (auto it = scans.rbegin(); it != scans.rend(); ++it) {
      if (it->second.name == name) co_return it->first;
    }
    co_return std::nullopt;
  }

  boost::asio::awaitable<std::string> launch_scan(std::int64_t scan_id) override {
    Scan& scan = at(scan_id);
    ++launches;
    scan.uuid = "run-" + std::to_string(launches);
    scan.status = "pending";
    scan.steps = 0;
    co_return scan.uuid;
  }

  boost::asio::awaitable<nessus::RunState> run_state(std::int64_t scan_id, std::string run_uuid) override {
    if (on_run_state) on_run_state(scan_id);
    const Scan& scan = at(scan_id);
    nessus::RunState state;
    state.run_found = scan.uuid == run_uuid;
    state.status = scan.status;
    state.progress = scan.status == "completed" ? 100 : 50;
    state.hosts = 1;
    co_return state;
  }

  boost::asio::awaitable<std::string> current_run_uuid(std::int64_t scan_id) override { co_return at(scan_id).uuid; }

  boost::asio::awaitable<void> stop_scan(std::int64_t scan_id) override {
    ++stops;
    at(scan_id).status = "canceled";
    co_return;
  }

  boost::asio::awaitable<void> delete_scan(std::int64_t scan_id) override {
    scans.erase(scan_id);
    co_return;
  }

  boost::asio::awaitable<std::vector<nessus::ScanListEntry>> list_scans() override {
    std::vector<nessus::ScanListEntry> entries;
    for (auto& [id, scan] : scans) {
      if (!scan.uuid.empty() && scan.status != "canceled") {
        scan.status = run_statuses[std::min(scan.steps, run_statuses.size() - 1)];
        ++scan.steps;
      }
      nessus::ScanListEntry entry;
      entry.id = id;
      entry.name = scan.name;
      entry.status = scan.status;
      entry.uuid = scan.uuid;
      entries.push_back(entry);
    }
    co_return entries;
  }

  boost::asio::awaitable<std::uint64_t> export_scan(std::int64_t scan_id, std::unique_ptr<nessus::ExportSink> sink,
                                                    std::uint64_t, std::chrono::milliseconds) override {
    at(scan_id);
    if (export_failures > 0) {
      --export_failures;
      throw core::Error(core::ErrorKind::server, "export failed (fake)", 500);
    }
    ++exports;
    if (on_export) on_export();
    exportgen::ExportWriter writer(export_spec);
    std::uint64_t bytes = 0;
    for (bool more = true; more;) {
      std::string piece;
      more = writer.next(piece);  // the last call may still append bytes
      co_await sink->write(piece);
      bytes += piece.size();
      if (export_stalls) {
        boost::asio::steady_timer stalled(co_await boost::asio::this_coro::executor,
                                          boost::asio::steady_timer::time_point::max());
        co_await stalled.async_wait(boost::asio::use_awaitable);
      }
    }
    co_await sink->finish();
    co_return bytes;
  }

  boost::asio::awaitable<void> logout() override { co_return; }

 private:
  Scan& at(std::int64_t scan_id) {
    const auto found = scans.find(scan_id);
    if (found == scans.end()) throw core::Error(core::ErrorKind::not_found, "scan not found (fake)", 404);
    return found->second;
  }
};

}  // namespace sw::worker::testing
