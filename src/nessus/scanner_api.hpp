// The Nessus scanner seam: the data the worker exchanges with one Nessus scanner and the
// abstract interface it calls (ScannerClient implements it over HTTP; worker tests fake it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nessus/export_sink.hpp"

namespace sw::nessus {

struct SshCredentials {
  std::string username, password, auth_method = "password", elevate_privileges_with = "Nothing", escalation_account,
                                  escalation_password;
};

struct NewScan {
  std::string name;  // unique per task: a lost create response is recovered by this name
  std::string description;
  std::string targets;
  std::optional<SshCredentials> ssh;
  std::string template_name = "advanced";
};

// The state of the run that our launch started (docs/nessus-client.md#following-our-run).
struct RunState {
  std::string status;      // Nessus status of that run (pending, running, completed, ...)
  bool run_found = false;  // false while Nessus still reports another run (launch/poll race)
  double progress = 0;     // 100 * sum(scanprogresscurrent) / sum(scanprogresstotal), 0 if no hosts
  int hosts = 0;
};

struct ScanListEntry {
  std::int64_t id = 0;
  std::string name, status, uuid;
  std::int64_t folder_id = 0, creation_date = 0, last_modification_date = 0;
};

struct ClientOptions {
  std::chrono::milliseconds request_timeout{30000};  // deadline of each HTTP exchange
  int read_retries = 3;                              // extra attempts of a GET on network errors/5xx
  std::chrono::milliseconds retry_base_delay{500};   // doubled after each failed attempt
  // GET /scans/{id} answers grow with the hosts; only a few fields are kept while reading,
  // and a larger answer is refused with Error(client).
  std::size_t max_scan_details_bytes = std::size_t{512} * 1024 * 1024;
  // Called after every HTTP exchange with the endpoint ("GET /scans/{id}"), the HTTP status
  // (0 when no response came) and the seconds it took; for request metrics.
  std::function<void(std::string_view endpoint, int status, double seconds)> on_request;
};

// Every call throws core::Error with a kind (network, timeout, auth, not_found, conflict,
// client, server, api_disabled) and the HTTP status; messages name the scanner instance,
// the call and why, never a secret.
class ScannerApi {
 public:
  virtual ~ScannerApi() = default;
  // "ready", "loading", ... (GET /server/status, no authentication).
  virtual boost::asio::awaitable<std::string> server_status() = 0;
  // The new scan's id. A lost response is recovered by find_scan_by_name, never by a second create.
  virtual boost::asio::awaitable<std::int64_t> create_scan(const NewScan& scan) = 0;
  // The id of the newest scan with exactly this name, in any folder.
  virtual boost::asio::awaitable<std::optional<std::int64_t>> find_scan_by_name(std::string name) = 0;
  // Returns the run uuid; on 409/500 re-reads the scan and adopts a run that is already active.
  virtual boost::asio::awaitable<std::string> launch_scan(std::int64_t scan_id) = 0;
  virtual boost::asio::awaitable<RunState> run_state(std::int64_t scan_id, std::string run_uuid) = 0;
  // info.uuid of the scan ("" when never launched).
  virtual boost::asio::awaitable<std::string> current_run_uuid(std::int64_t scan_id) = 0;
  // 409 (not active) counts as stopped.
  virtual boost::asio::awaitable<void> stop_scan(std::int64_t scan_id) = 0;
  // 404 counts as deleted; a scan that is still active -> Error(conflict).
  virtual boost::asio::awaitable<void> delete_scan(std::int64_t scan_id) = 0;
  // All folders, the trash included.
  virtual boost::asio::awaitable<std::vector<ScanListEntry>> list_scans() = 0;
  // Exports the latest run as .nessus, polls until ready and streams the download into
  // `sink`, all within `timeout`; finish() is called once the whole body is in, and the sink
  // is destroyed unfinished on any failure. Error(client) when the body exceeds max_bytes;
  // a failure of the sink keeps its kind. Returns the bytes of the body.
  virtual boost::asio::awaitable<std::uint64_t> export_scan(std::int64_t scan_id, std::unique_ptr<ExportSink> sink,
                                                            std::uint64_t max_bytes,
                                                            std::chrono::milliseconds timeout) = 0;
  // Ends the session (no-op with API keys or when not logged in).
  virtual boost::asio::awaitable<void> logout() = 0;
};

}  // namespace sw::nessus
