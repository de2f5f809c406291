// The simulator's export endpoints (see simulator.hpp): start an export of a run, its status
// (loading, ready, or failed the real way: 500 {"status":"error"}, then 404) and its
// download, by scan and file id or by token. The download is a generated .nessus file that
// SimServer streams (paced with the slow download fault).
#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <cctype>
#include <set>

#include "sim/requests.hpp"
#include "sim/simulator.hpp"

namespace sw::sim {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

std::string file_name_part(std::string_view name) {
  std::string part;
  for (const char c : name) {
    part += std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ? c : '_';
  }
  return part.empty() ? "scan" : part;
}

}  // namespace

Reply Simulator::start_export(Call& call) {
  const Scan& scan = *call.scan;
  if (!call.body || !call.body->is_object()) {
    return error_reply(bhttp::status::bad_request, "Invalid JSON body");
  }
  const auto format = call.body->value("format", "");
  static const std::set<std::string> formats{"nessus", "csv", "html", "pdf", "db"};
  if (formats.count(format) == 0) {
    return error_reply(bhttp::status::bad_request, "Invalid 'format' field");
  }
  if (format != "nessus") {
    return error_reply(bhttp::status::bad_request, "nessus-sim exports only the nessus format");
  }
  if (scan.runs.empty()) {
    return error_reply(bhttp::status::bad_request, "The scan has no results to export");
  }
  if (scan_active(scan, call.now)) {
    return error_reply(bhttp::status::conflict, "Can not export running scans");
  }
  std::optional<std::int64_t> history;
  if (call.query.count("history_id") != 0) {
    history = parse_id(call.query["history_id"]);
  } else if (call.body->contains("history_id")) {
    history = json_id((*call.body)["history_id"]);
  }
  const Run* run = &scan.runs.back();
  if (history) {
    const auto found =
        std::find_if(scan.runs.begin(), scan.runs.end(), [&](const Run& r) { return r.history_id() == *history; });
    if (found == scan.runs.end()) {
      return not_found();
    }
    run = &*found;
  }
  ExportJob job;
  do {
    job.file_id = 1000000000 + static_cast<std::int64_t>(random_() % 1000000000);
  } while (exports_.count(job.file_id) != 0);
  job.token = random_hex(64);
  job.scan_id = scan.id;
  job.history_id = run->history_id();
  job.created_at = call.now;
  job.fails = options_.faults.export_error || options_.faults.export_failures > 0;
  if (options_.faults.export_failures > 0) {
    --options_.faults.export_failures;
  }
  export_tokens_[job.token] = job.file_id;
  exports_[job.file_id] = job;
  return ok({{"file", job.file_id}, {"token", job.token}});
}

Reply Simulator::job_status(const Call& call, std::int64_t file_id) {
  const auto& job = exports_.at(file_id);
  if (call.now < job.created_at + options_.export_seconds) {
    return ok({{"status", "loading"}});
  }
  if (job.fails) {
    // As real servers do: a 500 whose body says "error", and the file id is gone after it.
    export_tokens_.erase(job.token);
    exports_.erase(file_id);
    return json_reply(bhttp::status::internal_server_error, {{"status", "error"}});
  }
  return ok({{"status", "ready"}});
}

// The export job of GET /scans/{id}/export/{file}/...: a file id of this scan, or none.
const ExportJob* Simulator::job_of_scan(const Call& call) const {
  const auto file = parse_id(call.segments[3]);
  const auto job = file ? exports_.find(*file) : exports_.end();
  return job == exports_.end() || job->second.scan_id != call.scan->id ? nullptr : &job->second;
}

Reply Simulator::export_status(Call& call) {
  const ExportJob* job = job_of_scan(call);
  return job == nullptr ? not_found() : job_status(call, job->file_id);
}

Reply Simulator::export_download(Call& call) {
  const ExportJob* job = job_of_scan(call);
  return job == nullptr ? not_found() : download(call, *job);
}

Reply Simulator::token_status(Call& call) {
  const auto found = export_tokens_.find(call.segments[1]);
  return found == export_tokens_.end() ? not_found() : job_status(call, found->second);
}

Reply Simulator::token_download(Call& call) {
  const auto found = export_tokens_.find(call.segments[1]);
  return found == export_tokens_.end() ? not_found() : download(call, exports_.at(found->second));
}

Reply Simulator::download(const Call& call, const ExportJob& job) const {
  const auto scan = scans_.find(job.scan_id);
  const auto run = scan == scans_.end() ? nullptr : [&]() -> const Run* {
    for (const auto& r : scan->second.runs) {
      if (r.history_id() == job.history_id) {
        return &r;
      }
    }
    return nullptr;
  }();
  if (run == nullptr || job.fails) {
    return not_found();
  }
  if (call.now < job.created_at + options_.export_seconds) {
    return error_reply(bhttp::status::conflict, "Report is still being generated");
  }
  Reply reply;
  reply.kind = Reply::Kind::stream_download;
  reply.response = http::Response{bhttp::status::ok, 11};
  reply.response.set(bhttp::field::content_type, "application/octet-stream");
  reply.response.set(bhttp::field::content_disposition, "attachment; filename=\"" + file_name_part(scan->second.name) +
                                                            "_" + std::to_string(run->history_id()) + ".nessus\"");
  reply.download_bytes_per_second = options_.faults.slow_download_bytes_per_second;
  auto& spec = reply.download;
  spec.scan_name = scan->second.name;
  spec.targets = run->targets();
  spec.username = scan->second.ssh ? scan->second.ssh->username : options_.username;
  spec.plugin_set_size = options_.plugin_set_size;
  spec.scan_start = epoch(run->launched_at());
  spec.scan_end = epoch(run->ended_at(call.now).value_or(call.now));
  spec.seed = options_.seed ^ (static_cast<std::uint64_t>(scan->second.id) << 20) ^
              static_cast<std::uint64_t>(run->history_id());
  for (const auto& host : run->hosts()) {
    spec.hosts.push_back(exportgen::HostSpec{host.host.name, host.host.ip, host.auth, options_.findings_per_host});
  }
  return reply;
}

}  // namespace sw::sim
