// Routing, login, CSRF checks and the security headers of the dashboard.
#include "dashboard/dashboard.hpp"

#include <fstream>

#include "core/digest.hpp"
#include "core/errors.hpp"
#include "dashboard/assets.hpp"
#include "dashboard/pages.hpp"
#include "dashboard/web.hpp"
#include "results/filters.hpp"
#include "store/targets.hpp"

namespace sw::dashboard {

namespace beast_http = boost::beast::http;
using Reply = Dashboard::Reply;

namespace {

constexpr char kCookie[] = "sw_ui";
constexpr std::size_t kDownloadChunk = 256 * 1024;

// No inline script or style anywhere: the pages load /ui/assets/app.js and style.css only.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

Reply reply(const http::Request& request, beast_http::status status, std::string body,
            std::string content_type = "text/html; charset=utf-8") {
  http::Response response(status, request.version());
  response.set(beast_http::field::content_type, content_type);
  response.set(beast_http::field::cache_control, "no-store");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  return Reply{std::move(response), std::nullopt};
}

Reply redirect(const http::Request& request, const std::string& location) {
  Reply answer = reply(request, beast_http::status::see_other, "");
  answer.response.set(beast_http::field::location, location);
  return answer;
}

bool wants_html(const http::Request& request) {
  const auto accept = request[beast_http::field::accept];
  return accept.empty() || accept.find("text/html") != std::string_view::npos ||
         accept.find("*/*") != std::string_view::npos;
}

// A bad request as the client can read it: a page for a browser, JSON for a program.
Reply failure(const http::Request& request, beast_http::status status, const std::string& message,
              const std::string& csrf) {
  if (wants_html(request)) return reply(request, status, error_page("Cannot do that", message, csrf));
  return reply(request, status, nlohmann::json{{"error", message}}.dump(), "application/json");
}

beast_http::status status_of(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::bad_input:
      return beast_http::status::bad_request;
    case core::ErrorKind::not_found:
      return beast_http::status::not_found;
    case core::ErrorKind::conflict:
      return beast_http::status::conflict;
    case core::ErrorKind::redis:
    case core::ErrorKind::network:
    case core::ErrorKind::timeout:
      return beast_http::status::service_unavailable;
    default:
      return beast_http::status::internal_server_error;
  }
}

std::map<std::string, std::string> only(const std::map<std::string, std::string>& fields,
                                        std::initializer_list<const char*> names) {
  std::map<std::string, std::string> kept;
  for (const char* name : names) {
    const auto found = fields.find(name);
    if (found != fields.end() && !found->second.empty()) kept[name] = found->second.substr(0, 512);
  }
  return kept;
}

int page_number(const std::map<std::string, std::string>& query) {
  const auto found = query.find("page");
  if (found == query.end()) return 1;
  const auto number = results::parse_number(found->second);
  return number && *number >= 1 && *number <= 1e6 ? static_cast<int>(*number) : 1;
}

store::TaskFilter task_filter(const std::map<std::string, std::string>& query) {
  store::TaskFilter filter;
  if (query.contains("status")) {
    filter.status = core::parse_task_status(query.at("status"));
    if (!filter.status) throw core::Error(core::ErrorKind::bad_input, "unknown status " + query.at("status"));
  }
  if (query.contains("pool")) filter.pool = query.at("pool");
  if (query.contains("target")) {
    if (!store::parse_target(query.at("target"))) {
      throw core::Error(core::ErrorKind::bad_input, "the target filter '" + query.at("target") +
                                                        "' is not an address, a CIDR block or a host name");
    }
    filter.target = query.at("target");
  }
  return filter;
}

// The outcome of the action that redirected here, shown once above the page. The link names
// it by a code ("cancelled", "retried-1", ...) and the text is the dashboard's own: a crafted
// link cannot put words of its choice on a page.
std::string notice_of(const std::map<std::string, std::string>& query) {
  const auto kept = only(query, {"notice"});
  if (!kept.contains("notice")) return "";
  const std::string& code = kept.at("notice");
  if (code == "cancelled") return "cancelled before any worker took it";
  if (code == "cancel-requested") return "cancel requested: the worker that runs it stops its scan and fails it";
  for (const auto& [prefix, what] :
       {std::pair{"retried-", "put back on the queue"}, {"deleted-", "deleted"}, {"purged-", "purged"}}) {
    if (!code.starts_with(prefix)) continue;
    const auto count = results::parse_number(std::string_view(code).substr(std::string_view(prefix).size()));
    if (!count || *count < 0 || *count > 1e9 || *count != static_cast<double>(static_cast<long long>(*count))) break;
    const auto n = static_cast<long long>(*count);
    return std::to_string(n) + (n == 1 ? " entry " : " entries ") + what;
  }
  return "";
}

// The findings filters of the task page as results filters (the rules of get_scan_results).
FindingsQuery findings_query(const std::map<std::string, std::string>& query) {
  FindingsQuery findings;
  findings.page = page_number(query);
  for (const auto& [form_field, result_field] :
       {std::pair{"severity", "severity"}, {"host", "host"}, {"plugin", "plugin_id"}, {"cve", "cve"}}) {
    const auto found = query.find(form_field);
    if (found == query.end()) continue;
    std::string value = found->second;
    // "4" means severity 4, not every severity whose text contains a 4.
    if (std::string_view(form_field) == "severity" && results::parse_number(value)) value = "=" + value;
    results::Filter filter{result_field, value};
    results::check_filter(filter);
    findings.filters.push_back(std::move(filter));
  }
  return findings;
}

}  // namespace

Dashboard::Dashboard(DashboardOptions options)
    : options_(std::move(options)), sessions_(options_.session_idle, options_.max_sessions) {}

bool Dashboard::serves(std::string_view target) {
  const std::string_view path = path_of(target);
  return path == "/ui" || path.starts_with("/ui/");
}

Reply Dashboard::handle(const http::Request& request) {
  try {
    return route(request);
  } catch (const core::Error& e) {
    return failure(request, status_of(e.kind()), e.what(), "");
  }
}

std::unique_ptr<ReadModel> Dashboard::borrow_model() {
  {
    std::lock_guard lock(models_mutex_);
    if (!idle_models_.empty()) {
      auto model = std::move(idle_models_.back());
      idle_models_.pop_back();
      return model;
    }
  }
  return std::make_unique<ReadModel>(options_.redis, options_.data_dir);
}

void Dashboard::return_model(std::unique_ptr<ReadModel> model) {
  std::lock_guard lock(models_mutex_);
  idle_models_.push_back(std::move(model));
}

Reply Dashboard::route(const http::Request& request) {
  const std::string path(path_of(request.target()));
  if (path == "/ui/assets/app.js")
    return reply(request, beast_http::status::ok, std::string(app_js()), "text/javascript");
  if (path == "/ui/assets/style.css")
    return reply(request, beast_http::status::ok, std::string(style_css()), "text/css");
  if (path == "/ui/login") {
    if (request.method() == beast_http::verb::post) return log_in(request);
    return reply(request, beast_http::status::ok, login_page(""));
  }
  const auto session = sessions_.find(cookie_value(request[beast_http::field::cookie], kCookie));
  if (!session) {
    if (request.method() == beast_http::verb::get || request.method() == beast_http::verb::head) {
      return redirect(request, "/ui/login");
    }
    return failure(request, beast_http::status::forbidden, "log in first", "");
  }
  auto model = borrow_model();
  try {
    Reply answer = authenticated(request, *session, *model);
    return_model(std::move(model));
    return answer;
  } catch (const core::Error& e) {
    if (e.kind() != core::ErrorKind::redis && e.kind() != core::ErrorKind::network) return_model(std::move(model));
    throw;  // a model whose connection failed is dropped: the next request makes a new one
  }
}

Reply Dashboard::log_in(const http::Request& request) {
  const auto form = parse_form(request.body());
  const auto token = form.find("token");
  if (token == form.end() || token->second.empty() || !options_.verify_token(token->second)) {
    return reply(request, beast_http::status::unauthorized, login_page("That token is not valid."));
  }
  const UiSession session = sessions_.open();
  Reply answer = redirect(request, "/ui/");
  answer.response.set(beast_http::field::set_cookie, std::string(kCookie) + "=" + session.id +
                                                         "; Path=/ui; HttpOnly; SameSite=Strict" +
                                                         (options_.secure_cookie ? "; Secure" : ""));
  return answer;
}

Reply Dashboard::authenticated(const http::Request& request, const UiSession& session, ReadModel& model) {
  if (request.method() == beast_http::verb::post) return act(request, session, model);
  if (request.method() != beast_http::verb::get && request.method() != beast_http::verb::head) {
    return failure(request, beast_http::status::method_not_allowed, "only GET and POST are allowed", session.csrf);
  }
  const std::string path(path_of(request.target()));
  const auto query = parse_form(query_of(request.target()));
  const config::ScannersConfig scanners = options_.scanners();
  if (path == "/ui" || path == "/ui/") {
    return reply(request, beast_http::status::ok, overview_page(model.overview(scanners), session.csrf));
  }
  if (path == "/ui/tasks") {
    const auto kept = only(query, {"status", "pool", "target"});
    const TaskPage page = model.tasks(task_filter(kept), page_number(query));
    return reply(request, beast_http::status::ok, tasks_page(page, kept, scanners, session.csrf));
  }
  if (path == "/ui/dlq") {
    const auto kept = only(query, {"pool"});
    const std::string pool = kept.contains("pool") ? kept.at("pool") : "";
    if (!pool.empty() && !scanners.find_pool(pool)) throw core::Error(core::ErrorKind::not_found, "no pool " + pool);
    const DeadLetterPage page = pool.empty() ? DeadLetterPage{} : model.dead_letters(pool, page_number(query));
    return reply(request, beast_http::status::ok, dead_letters_page(page, scanners, notice_of(query), session.csrf));
  }
  if (path.starts_with("/ui/tasks/")) {
    std::string task_id = path.substr(std::string_view("/ui/tasks/").size());
    const bool download = task_id.ends_with("/export");
    if (download) task_id.resize(task_id.size() - std::string_view("/export").size());
    const auto detail = model.task(task_id);
    if (!detail) throw core::Error(core::ErrorKind::not_found, "no task " + task_id);
    if (download) {
      if (!detail->has_export) throw core::Error(core::ErrorKind::not_found, "task " + task_id + " has no export yet");
      Reply answer = reply(request, beast_http::status::ok, "", "application/xml");
      answer.response.set(beast_http::field::content_disposition, "attachment; filename=\"" + task_id + ".nessus\"");
      answer.file = model.export_path(task_id);
      return answer;
    }
    const auto kept = only(query, {"severity", "host", "plugin", "cve"});
    const FindingsPage findings = model.findings(task_id, findings_query(kept));
    return reply(request, beast_http::status::ok, task_page(*detail, findings, kept, notice_of(query), session.csrf));
  }
  return failure(request, beast_http::status::not_found, "no page " + path, session.csrf);
}

// POST: logout, cancel, and the dead-letter actions; each needs the session's CSRF token,
// and answers with a redirect to the page it came from (post/redirect/get).
Reply Dashboard::act(const http::Request& request, const UiSession& session, ReadModel& model) {
  const auto form = parse_form(request.body());
  const auto csrf = form.find("csrf");
  if (csrf == form.end() || !core::constant_time_equal(csrf->second, session.csrf)) {
    return failure(request, beast_http::status::forbidden, "the form is stale or forged (CSRF token mismatch)",
                   session.csrf);
  }
  const std::string path(path_of(request.target()));
  const auto field = [&](const char* name) {
    const auto found = form.find(name);
    if (found == form.end() || found->second.empty()) {
      throw core::Error(core::ErrorKind::bad_input, std::string("the form lacks ") + name);
    }
    return found->second;
  };
  if (path == "/ui/logout") {
    sessions_.close(session.id);
    Reply answer = redirect(request, "/ui/login");
    answer.response.set(beast_http::field::set_cookie,
                        std::string(kCookie) + "=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0");
    return answer;
  }
  if (path.starts_with("/ui/tasks/") && path.ends_with("/cancel")) {
    const std::string task_id =
        path.substr(std::string_view("/ui/tasks/").size(), path.size() - std::string_view("/ui/tasks//cancel").size());
    const bool dequeued = model.cancel(task_id) == service::CancelOutcome::removed_from_queue;
    return redirect(request,
                    "/ui/tasks/" + url_encode(task_id) + "?notice=" + (dequeued ? "cancelled" : "cancel-requested"));
  }
  const config::ScannersConfig scanners = options_.scanners();
  const std::string pool = field("pool");
  if (!scanners.find_pool(pool)) throw core::Error(core::ErrorKind::not_found, "no pool " + pool);
  std::string notice;
  if (path == "/ui/dlq/retry") {
    notice = "retried-" + std::to_string(model.retry_dead_letter(pool, field("task_id")));
  } else if (path == "/ui/dlq/delete") {
    notice = "deleted-" + std::to_string(model.delete_dead_letter(pool, field("task_id")));
  } else if (path == "/ui/dlq/purge") {
    if (field("confirm") != "purge") throw core::Error(core::ErrorKind::bad_input, "type purge to confirm the purge");
    notice = "purged-" + std::to_string(model.purge_dead_letters(pool));
  } else {
    return failure(request, beast_http::status::not_found, "no action " + path, session.csrf);
  }
  return redirect(request, "/ui/dlq?pool=" + url_encode(pool) + "&notice=" + notice);
}

boost::asio::awaitable<bool> Dashboard::send(Reply answer, http::Connection& connection) {
  if (!answer.file) co_return co_await connection.send(std::move(answer.response));
  auto file = std::make_shared<std::ifstream>(*answer.file, std::ios::binary);
  http::ResponseHead head(answer.response.result(), answer.response.version());
  for (const auto& header : answer.response.base()) head.set(header.name_string(), header.value());
  head.keep_alive(answer.response.keep_alive());
  http::BodyProducer producer = [file](std::string& out) {
    out.resize(kDownloadChunk);
    file->read(out.data(), static_cast<std::streamsize>(out.size()));
    out.resize(static_cast<std::size_t>(file->gcount()));
    return static_cast<bool>(*file);
  };
  co_return co_await connection.send_stream(std::move(head), std::move(producer), 0);
}

}  // namespace sw::dashboard
