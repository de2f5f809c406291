// The session of the Nessus client: login, X-API-Token, folder and templates, each fetched
// once for every caller waiting; see session.hpp.
#include "nessus/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "nessus/protocol.hpp"
#include "telemetry/log.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;
using core::ErrorKind;
using nlohmann::json;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

Session::Session(asio::any_io_executor executor, Calls& calls)
    : executor_(std::move(executor)), calls_(calls), scanner_(calls.scanner()) {
  if (scanner_.api_token_mode == config::ApiTokenMode::fixed) {
    api_token_ = scanner_.api_token;
  }
}

void Session::add_headers(HttpRequest& request, bool authenticated) const {
  if (authenticated) {
    if (scanner_.uses_api_keys()) {
      request.headers.emplace_back("X-ApiKeys",
                                   "accessKey=" + scanner_.access_key + "; secretKey=" + scanner_.secret_key);
    } else {
      request.headers.emplace_back("X-Cookie", "token=" + session_token_);
    }
  }
  if (!api_token_.empty()) {
    request.headers.emplace_back("X-API-Token", api_token_);
  }
}

// Runs `work` unless another caller is running it; then waits for that run to end (the
// caller reads its result from the state it left).
asio::awaitable<void> Session::once(SingleFlight& flight, asio::awaitable<void>& work) {
  if (flight.running) {
    asio::steady_timer done(executor_, asio::steady_timer::time_point::max());
    flight.waiters.push_back(&done);
    struct Unlist {  // a waiter destroyed before the end leaves the list
      SingleFlight& flight;
      asio::steady_timer& timer;
      ~Unlist() { std::erase(flight.waiters, &timer); }
    } unlist{flight, done};
    co_await done.async_wait(use_tuple);
    co_return;
  }
  flight.running = true;
  struct Land {
    SingleFlight& flight;
    ~Land() {
      flight.running = false;
      for (auto* waiter : flight.waiters) waiter->cancel();
      flight.waiters.clear();
    }
  } land{flight};
  co_await std::move(work);
}

void Session::drop(std::uint64_t generation) {
  if (generation == session_generation_) {
    session_token_.clear();
  }
}

asio::awaitable<std::optional<CallFailure>> Session::ensure_authenticated() {
  if (scanner_.api_token_mode == config::ApiTokenMode::auto_fetch && !api_token_known_) {
    co_await refresh_api_token(api_token_generation_);
  }
  std::optional<CallFailure> failure;
  if (!scanner_.uses_api_keys() && session_token_.empty()) {
    auto work = login();
    co_await once(login_flight_, work);
    if (session_token_.empty()) {
      failure = login_failure_.value_or(CallFailure{calls_.error(ErrorKind::auth, "login", "no session"), false});
    }
  }
  co_return failure;
}

asio::awaitable<void> Session::refresh_api_token(std::uint64_t seen_generation) {
  if (api_token_generation_ != seen_generation && api_token_known_) {
    co_return;
  }
  auto work = fetch_api_token();
  co_await once(token_flight_, work);
}

asio::awaitable<void> Session::fetch_api_token() {
  const Call fetch{"GET", "/nessus6.js", {}, "fetching the X-API-Token", false, true};
  CallResult result = co_await calls_.call(fetch);
  take_api_token(result);
  api_token_known_ = true;
  ++api_token_generation_;
}

// Plain function: GCC 12 mishandles early co_return paths that destroy variants.
void Session::take_api_token(const CallResult& result) {
  std::string problem;
  const auto* reply = std::get_if<Reply>(&result);
  if (reply == nullptr) {
    problem = std::get<CallFailure>(result).error.what();
  } else if (!reply->ok()) {
    problem = "HTTP " + std::to_string(reply->status);
  } else if (auto token = extract_api_token(reply->body)) {
    api_token_ = std::move(*token);
    telemetry::log_info("fetched the X-API-Token from /nessus6.js", calls_.log_fields());
    return;
  } else {
    problem = "no token in /nessus6.js";
  }
  auto fields = calls_.log_fields();
  fields["reason"] = problem;
  telemetry::log_warning("could not fetch the X-API-Token; continuing without it", fields);
}

asio::awaitable<void> Session::login() {
  const json credentials = {{"username", scanner_.username}, {"password", scanner_.password}};
  const Call login_call{"POST", "/session", credentials.dump(), "login", false, true};
  CallResult result = co_await calls_.call(login_call);
  login_failure_ = take_session(result);
}

std::optional<CallFailure> Session::take_session(const CallResult& result) {
  if (const auto* failure = std::get_if<CallFailure>(&result)) {
    return *failure;
  }
  const auto& reply = std::get<Reply>(result);
  if (reply.status == 401) {
    return CallFailure{calls_.error(ErrorKind::auth, "login", "credentials refused (HTTP 401)", 401), true};
  }
  if (!reply.ok()) {
    return CallFailure{calls_.http_error(reply, "login"), true};
  }
  const auto token = json_string(member(json::parse(reply.body, nullptr, false), "token"));
  if (token.empty()) {
    return CallFailure{calls_.error(ErrorKind::server, "login", "response without a token", reply.status), true};
  }
  session_token_ = token;
  ++session_generation_;
  telemetry::log_info("logged in to the scanner", calls_.log_fields());
  return std::nullopt;
}

asio::awaitable<void> Session::read_folders() {
  const std::string target = "/folders";
  const std::string what = "list folders";
  try {
    const auto document = co_await calls_.get_json(target, what);
    main_folder_ = folder_id_of_type(document, "main");
    folder_failure_.reset();
    if (!main_folder_) {
      folder_failure_ = calls_.error(ErrorKind::server, what, "no folder of type main");
    }
  } catch (const core::Error& e) {
    folder_failure_ = e;
  }
}

asio::awaitable<std::int64_t> Session::main_folder_id() {
  if (!main_folder_) {
    auto work = read_folders();
    co_await once(folder_flight_, work);
    if (!main_folder_) {
      throw folder_failure_.value_or(calls_.error(ErrorKind::server, "list folders", "no folder of type main"));
    }
  }
  co_return *main_folder_;
}

asio::awaitable<void> Session::read_templates() {
  const std::string what = "list scan templates";
  const Call list_templates{"GET", "/editor/scan/templates", {}, what, true, true};
  try {
    auto reply = Calls::take(co_await calls_.call(list_templates));
    template_failure_.reset();
    if (reply.ok()) {
      templates_document_ = calls_.parse_ok(reply, what);
    } else {
      auto fields = calls_.log_fields();
      fields["status"] = reply.status;
      telemetry::log_warning("cannot list scan templates; using the well-known uuids", fields);
      templates_document_ = json();
    }
  } catch (const core::Error& e) {
    template_failure_ = e;
  }
}

asio::awaitable<std::string> Session::template_uuid_for(const std::string& name) {
  if (!templates_document_) {
    auto work = read_templates();
    co_await once(template_flight_, work);
    if (!templates_document_) {
      throw template_failure_.value_or(calls_.error(ErrorKind::server, "list scan templates", "no answer"));
    }
  }
  auto uuid = template_uuid(*templates_document_, name);
  if (!uuid) {
    throw calls_.error(ErrorKind::client, "list scan templates", "no scan template named '" + name + "'");
  }
  co_return *uuid;
}

asio::awaitable<void> Session::logout() {
  if (scanner_.uses_api_keys() || session_token_.empty()) {
    co_return;
  }
  Call call_spec{"DELETE", "/session", {}, "logout"};
  call_spec.may_relogin = false;
  auto result = co_await calls_.call(call_spec);
  session_token_.clear();
  // Nessus answers 200 with an empty body or `null`; neither is read.
  if (auto* reply = std::get_if<Reply>(&result); reply != nullptr && !reply->ok() && reply->status != 401) {
    throw calls_.http_error(*reply, "logout");
  }
  if (auto* failure = std::get_if<CallFailure>(&result)) {
    throw failure->error;
  }
}

}  // namespace sw::nessus
