// The scan calls of the Nessus client, each write settled by a re-read when its answer is
// lost or refused; see scan_control.hpp.
#include "nessus/scan_control.hpp"

#include "nessus/run_status.hpp"
#include "telemetry/log.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using core::ErrorKind;

Call scan_control_call(std::string method, std::string target, std::string body, std::string what) {
  Call control{std::move(method), std::move(target), std::move(body), std::move(what)};
  control.scan_control = true;
  control.retry_after_refusal = true;
  return control;
}

bool is_active_status(const std::string& status) { return is_active(parse_run_status(status)); }

// What `read` makes of a 2xx reply's body; otherwise the HTTP error, or Error(server) when
// `read` finds no JSON (it returns nullopt).
template <typename Read>
auto read_ok(const Calls& calls, const Reply& reply, std::string_view what, Read read) {
  if (!reply.ok()) {
    throw calls.http_error(reply, what);
  }
  auto parsed = read(reply.body);
  if (!parsed) {
    throw calls.error(ErrorKind::server, what, "response is not JSON", reply.status);
  }
  return std::move(*parsed);
}

}  // namespace

asio::awaitable<std::vector<ScanListEntry>> ScanControl::list_scans() {
  const std::string target = "/scans";
  const std::string what = "list scans";
  const Call get{"GET", target, {}, what, true, true};
  const auto reply = Calls::take(co_await calls_.call(get));
  co_return read_ok(calls_, reply, what, parse_scan_list);
}

asio::awaitable<std::optional<std::int64_t>> ScanControl::find_scan_by_name(const std::string& name) {
  std::optional<std::int64_t> newest;
  const auto scans = co_await list_scans();
  for (const auto& entry : scans) {
    if (entry.name == name && (!newest || entry.id > *newest)) {
      newest = entry.id;
    }
  }
  co_return newest;
}

// GET /scans/{id} as a Reply (a 404 is an answer), with the details size cap.
asio::awaitable<Reply> ScanControl::get_scan(std::int64_t scan_id, const std::string& what) {
  Call get{"GET", scan_path(scan_id), {}, what, true, true};
  get.max_body_bytes = calls_.options().max_scan_details_bytes;
  co_return Calls::take(co_await calls_.call(get));
}

ScanDetails ScanControl::details_of(const Reply& reply, std::string_view what) const {
  return read_ok(calls_, reply, what, parse_scan_details);
}

asio::awaitable<ScanDetails> ScanControl::read_scan(std::int64_t scan_id, const std::string& what) {
  const auto reply = co_await get_scan(scan_id, what);
  co_return details_of(reply, what);
}

// Launch and delete: Nessus answers 409 or 500 while a scan is active, and an answer can
// be lost after the request was sent; both call for a re-read. Returns that error (to
// report if the re-read does not settle it) and throws any other failure.
core::Error ScanControl::refused_while_active_or_lost(const CallResult& result, std::string_view what) const {
  if (const auto* reply = std::get_if<Reply>(&result)) {
    if (reply->status != 409 && reply->status != 500) {
      throw calls_.http_error(*reply, what);
    }
    return calls_.http_error(*reply, what);
  }
  const auto& failure = std::get<CallFailure>(result);
  if (!failure.request_sent) {
    throw failure.error;
  }
  return failure.error;
}

asio::awaitable<std::int64_t> ScanControl::create_scan(const NewScan& scan) {
  const auto uuid = co_await session_.template_uuid_for(scan.template_name);
  const auto folder = co_await session_.main_folder_id();
  const auto body = create_scan_body(scan, uuid, folder).dump();
  const std::string what = "create scan";
  auto fields = calls_.log_fields();
  fields["scan_name"] = scan.name;
  bool refused_before = false;
  for (int round = 0;; ++round) {
    Call create{"POST", "/scans", body, what};
    create.scan_control = true;
    create.refused_before = refused_before;
    auto result = co_await calls_.call(create);
    if (auto* reply = std::get_if<Reply>(&result)) {
      const auto id = json_integer(member(member(calls_.parse_ok(*reply, what), "scan"), "id"));
      if (id <= 0) {
        throw calls_.error(ErrorKind::server, what, "response without scan.id", reply->status);
      }
      fields["scan_id"] = id;
      telemetry::log_debug("created scan", fields);  // the worker logs "scan created" with its task
      co_return id;
    }
    auto& failure = std::get<CallFailure>(result);
    if (!failure.request_sent || failure.error.kind() == ErrorKind::api_disabled) {
      throw failure.error;
    }
    refused_before = failure.refused_by_close;
    // The response was lost (or the connection closed as a refusal): the scan may exist.
    // Look it up by its unique name and create again only when it certainly does not.
    if (const auto existing = co_await find_scan_by_name(scan.name)) {
      fields["scan_id"] = *existing;
      telemetry::log_warning("create response lost; the scan exists, using it", fields);
      co_return *existing;
    }
    if (round > 0) {
      throw failure.error;
    }
    telemetry::log_warning("create response lost and no scan with that name exists; creating once more", fields);
  }
}

asio::awaitable<std::string> ScanControl::launch_scan(std::int64_t scan_id) {
  const std::string what = "launch scan " + std::to_string(scan_id);
  const Call launch = scan_control_call("POST", scan_path(scan_id) + "/launch", "{}", what);
  auto result = co_await calls_.call(launch);
  if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && reply->ok()) {
    auto run_uuid = json_string(member(calls_.parse_ok(*reply, what), "scan_uuid"));
    if (run_uuid.empty()) {
      throw calls_.error(ErrorKind::server, what, "response without scan_uuid", reply->status);
    }
    co_return run_uuid;
  }
  if (auto* failure = std::get_if<CallFailure>(&result);
      failure != nullptr && failure->error.kind() == ErrorKind::api_disabled) {
    throw failure->error;
  }
  const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
  // Refused as possibly already running, or the answer was lost: adopt an active run.
  const auto reread = "read scan " + std::to_string(scan_id) + " after launch";
  const auto details = co_await read_scan(scan_id, reread);
  const auto run_uuid = current_run_uuid_of(details);
  if (is_active_status(details.status) && !run_uuid.empty()) {
    auto fields = calls_.log_fields();
    fields["scan_id"] = scan_id;
    fields["reason"] = problem->what();
    telemetry::log_warning("launch not confirmed; adopting the active run", fields);
    co_return run_uuid;
  }
  throw *problem;
}

asio::awaitable<void> ScanControl::stop_scan(std::int64_t scan_id) {
  const std::string what = "stop scan " + std::to_string(scan_id);
  const Call stop = scan_control_call("POST", scan_path(scan_id) + "/stop", "{}", what);
  auto result = co_await calls_.call(stop);
  if (auto* reply = std::get_if<Reply>(&result)) {
    if (reply->ok() || reply->status == 409) {
      co_return;
    }
    throw calls_.http_error(*reply, what);
  }
  auto& failure = std::get<CallFailure>(result);
  if (!failure.request_sent || failure.error.kind() == ErrorKind::api_disabled) {
    throw failure.error;
  }
  const auto details = co_await read_scan(scan_id, what);
  const auto status = parse_run_status(details.status);
  if (status == RunStatus::stopping || !is_active(status)) {
    co_return;
  }
  throw failure.error;
}

asio::awaitable<void> ScanControl::delete_scan(std::int64_t scan_id) {
  const std::string what = "delete scan " + std::to_string(scan_id);
  const Call remove = scan_control_call("DELETE", scan_path(scan_id), {}, what);
  auto result = co_await calls_.call(remove);
  if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && (reply->ok() || reply->status == 404)) {
    co_return;
  }
  if (auto* failure = std::get_if<CallFailure>(&result);
      failure != nullptr && failure->error.kind() == ErrorKind::api_disabled) {
    throw failure->error;
  }
  const std::optional<core::Error> problem = refused_while_active_or_lost(result, what);
  // Refused (409/500 mean "still active" on Nessus) or the answer was lost: look again.
  const auto reread = co_await get_scan(scan_id, what);
  if (reread.status == 404) {
    co_return;
  }
  const auto details = details_of(reread, what);
  if (is_active_status(details.status)) {
    throw calls_.error(ErrorKind::conflict, what, "the scan is still " + details.status, problem->http_status());
  }
  throw *problem;
}

}  // namespace sw::nessus
