// The session of the Nessus client with one scanner: what it learns once and shares among
// the calls under way. The login (or the API keys) and the headers that carry it, the
// X-API-Token of the editions that gate scan control with it (fixed, or read from
// /nessus6.js), the main folder and the scan templates. Each of these is fetched by one call
// at a time; the others wait for its result and share it, failures included
// (docs/nessus-api.md, "One login, one token fetch, one read at a time").
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nessus/calls.hpp"

namespace sw::nessus {

class Session {
 public:
  Session(boost::asio::any_io_executor executor, Calls& calls);

  // The authentication headers (when `authenticated`) and the X-API-Token when one is known.
  void add_headers(HttpRequest& request, bool authenticated) const;

  // Bumped by each login and by each X-API-Token fetch: a caller refused with the values it
  // sent asks for a new one only when nobody has fetched one since.
  std::uint64_t generation() const { return session_generation_; }
  std::uint64_t api_token_generation() const { return api_token_generation_; }

  // The X-API-Token is known (api_token: auto) and the session is open; the failure of the
  // login otherwise.
  boost::asio::awaitable<std::optional<CallFailure>> ensure_authenticated();
  // Forgets the session opened at `generation` (refused with a 401); a newer one stays.
  void drop(std::uint64_t generation);
  // Fetches the X-API-Token unless a fetch newer than `seen_generation` happened meanwhile.
  boost::asio::awaitable<void> refresh_api_token(std::uint64_t seen_generation);

  boost::asio::awaitable<std::int64_t> main_folder_id();
  // The uuid of the template `name`; the well-known uuids when the list cannot be read.
  boost::asio::awaitable<std::string> template_uuid_for(const std::string& name);

  // Ends the session (no-op with API keys or when not logged in).
  boost::asio::awaitable<void> logout();

 private:
  // A fetch that one caller runs while the others wait for its end.
  struct SingleFlight {
    bool running = false;
    std::vector<boost::asio::steady_timer*> waiters;
  };
  boost::asio::awaitable<void> once(SingleFlight& flight, boost::asio::awaitable<void>& work);

  boost::asio::awaitable<void> login();
  std::optional<CallFailure> take_session(const CallResult& result);
  boost::asio::awaitable<void> fetch_api_token();
  void take_api_token(const CallResult& result);
  boost::asio::awaitable<void> read_folders();
  boost::asio::awaitable<void> read_templates();

  boost::asio::any_io_executor executor_;
  Calls& calls_;
  const config::ScannerConfig& scanner_;
  std::string session_token_;
  std::uint64_t session_generation_ = 0;
  std::optional<CallFailure> login_failure_;  // of the latest login, for the callers that waited for it
  SingleFlight login_flight_;
  std::string api_token_;
  bool api_token_known_ = false;  // auto mode: /nessus6.js was read (the token may still be empty)
  std::uint64_t api_token_generation_ = 0;
  SingleFlight token_flight_;
  std::optional<std::int64_t> main_folder_;
  std::optional<core::Error> folder_failure_;
  SingleFlight folder_flight_;
  std::optional<nlohmann::json> templates_document_;  // null when the list could not be read
  std::optional<core::Error> template_failure_;
  SingleFlight template_flight_;
};

}  // namespace sw::nessus
