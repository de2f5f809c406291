// The export calls of the Nessus client: start, poll, and a download streamed into the
// caller's ExportSink; see exports.hpp.
#include "nessus/exports.hpp"

#include <algorithm>
#include <optional>

#include "nessus/protocol.hpp"
#include "telemetry/log.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using core::ErrorKind;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kExportPollFirst{100};
constexpr std::chrono::milliseconds kExportPollMax{2000};

// The body of a 200 download, passed to the ExportSink while it stays under the size cap
// and the deadline; says why it stopped early.
class DownloadBody final : public BodySink {
 public:
  enum class Stop { none, too_large, deadline, sink_failed };

  DownloadBody(ExportSink& sink, std::uint64_t max_bytes, Clock::time_point deadline)
      : sink_(sink), max_bytes_(max_bytes), deadline_(deadline) {}

  asio::awaitable<bool> write(std::string_view chunk) override {
    bytes_ += chunk.size();
    if (bytes_ > max_bytes_) {
      stop_ = Stop::too_large;
    } else if (Clock::now() > deadline_) {
      stop_ = Stop::deadline;
    } else {
      try {
        co_await sink_.write(chunk);
      } catch (const core::Error& e) {
        sink_failure_ = e;
        stop_ = Stop::sink_failed;
      }
    }
    co_return stop_ == Stop::none;
  }

  Stop stop() const { return stop_; }
  const std::optional<core::Error>& sink_failure() const { return sink_failure_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  ExportSink& sink_;
  std::uint64_t max_bytes_;
  Clock::time_point deadline_;
  std::uint64_t bytes_ = 0;
  Stop stop_ = Stop::none;
  std::optional<core::Error> sink_failure_;
};

}  // namespace

asio::awaitable<std::chrono::milliseconds> Exports::wait_before_next_poll(std::chrono::milliseconds delay,
                                                                          Clock::time_point deadline,
                                                                          const std::string& what,
                                                                          const core::Error& at_deadline) {
  const auto now = Clock::now();
  if (now >= deadline) {
    throw at_deadline;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
  if (!co_await calls_.pause(std::min(delay, left))) {
    throw calls_.error(ErrorKind::network, what, "cancelled");
  }
  co_return std::min(delay * 2, kExportPollMax);
}

// POST /scans/{id}/export until the scanner takes it: 409 ("Can not export running
// scans") means the run is not finished yet, so it is asked again until the deadline.
asio::awaitable<std::int64_t> Exports::start_export(std::int64_t scan_id, const std::string& what,
                                                    Clock::time_point deadline) {
  const json request = {{"format", "nessus"}};
  const Call start{"POST", scan_path(scan_id) + "/export", request.dump(), what, true, true};
  auto delay = kExportPollFirst;
  for (;;) {
    auto started = Calls::take(co_await calls_.call(start));
    if (started.status != 409) {
      const auto file = json_integer(member(calls_.parse_ok(started, what), "file"));
      if (file <= 0) {
        throw calls_.error(ErrorKind::server, what, "response without a file id", started.status);
      }
      co_return file;
    }
    const auto still_running =
        calls_.error(ErrorKind::timeout, what, "the scanner still refuses to export a running scan (HTTP 409)", 409);
    delay = co_await wait_before_next_poll(delay, deadline, what, still_running);
  }
}

// The scanner's way of saying an export failed: the status poll answers 500 with
// {"status":"error"} (or 200 with it), and afterwards its file id answers 404. A new
// export (a new file id) may succeed; the error is transient for that reason.
core::Error Exports::export_failed(std::string_view what, std::int64_t file, const Reply& reply) const {
  return calls_.error(ErrorKind::server, what,
                      "the scanner reports export file " + std::to_string(file) + " failed (HTTP " +
                          std::to_string(reply.status) + "); a new export is needed",
                      reply.status);
}

asio::awaitable<void> Exports::wait_until_ready(const std::string& file_path, std::int64_t file,
                                                const std::string& what, Clock::time_point deadline) {
  const auto status_what = what + " (status)";
  Call poll{"GET", file_path + "/status", {}, status_what, true, true};
  poll.server_error_is_answer = true;
  auto delay = kExportPollFirst;
  for (;;) {
    auto reply = Calls::take(co_await calls_.call(poll));
    const auto status = json_string(member(json::parse(reply.body, nullptr, false), "status"));
    if (status == "error" || reply.status == 404) {
      throw export_failed(what, file, reply);
    }
    if (!reply.ok()) {
      throw calls_.http_error(reply, status_what);
    }
    if (status == "ready") {
      co_return;
    }
    const auto not_ready =
        calls_.error(ErrorKind::timeout, what, "the export was not ready in time (status " + status + ")");
    delay = co_await wait_before_next_poll(delay, deadline, what, not_ready);
  }
}

asio::awaitable<std::uint64_t> Exports::download(const std::string& file_path, std::int64_t file,
                                                 const std::string& what, ExportSink& sink, std::uint64_t max_bytes,
                                                 Clock::time_point deadline) {
  const std::string download = what + " (download)";
  DownloadBody body(sink, max_bytes, deadline);
  Call call_spec{"GET", file_path + "/download", {}, download, true, true};
  call_spec.sink = &body;
  const auto reply = Calls::take(co_await calls_.call(call_spec));
  switch (body.stop()) {
    case DownloadBody::Stop::too_large:
      throw calls_.error(ErrorKind::client, download,
                         "the export is larger than " + std::to_string(max_bytes) + " bytes");
    case DownloadBody::Stop::deadline:
      throw calls_.error(ErrorKind::timeout, download, "the download did not finish in time");
    case DownloadBody::Stop::sink_failed:
      throw calls_.error(body.sink_failure()->kind(), download, body.sink_failure()->what());
    case DownloadBody::Stop::none:
      break;
  }
  if (reply.status == 404) {
    throw export_failed(download, file, reply);  // a file id that was ready is gone
  }
  if (reply.status != 200) {
    throw calls_.http_error(reply, download);
  }
  if (!reply.body_complete) {
    throw calls_.error(ErrorKind::network, download, "the connection closed before the end of the file");
  }
  std::optional<core::Error> not_kept;
  try {
    co_await sink.finish();
  } catch (const core::Error& e) {
    not_kept = e;
  }
  if (not_kept) {
    throw calls_.error(not_kept->kind(), download, not_kept->what());
  }
  co_return body.bytes();
}

asio::awaitable<std::uint64_t> Exports::export_scan(std::int64_t scan_id, std::unique_ptr<ExportSink> sink,
                                                    std::uint64_t max_bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string what = "export scan " + std::to_string(scan_id);
  const auto file = co_await start_export(scan_id, what, deadline);
  const auto file_path = scan_path(scan_id) + "/export/" + std::to_string(file);
  co_await wait_until_ready(file_path, file, what, deadline);
  const auto bytes = co_await download(file_path, file, what, *sink, max_bytes, deadline);
  auto fields = calls_.log_fields();
  fields["scan_id"] = scan_id;
  fields["bytes"] = bytes;
  telemetry::log_debug("export downloaded", fields);  // the worker logs "results exported" with its task
  co_return bytes;
}

}  // namespace sw::nessus
