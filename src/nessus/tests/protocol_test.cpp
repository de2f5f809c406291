// Unit tests of the pure Nessus protocol helpers: URL parsing, X-API-Token extraction,
// tolerant JSON reading, run state and progress, create body, error mapping, fingerprints.
#include "nessus/protocol.hpp"

#include <gtest/gtest.h>

namespace sw::nessus {
namespace {

using nlohmann::json;

TEST(ParseBaseUrl, AcceptsSchemesHostsAndPorts) {
  auto url = parse_base_url("https://nessus.example:8835/");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "nessus.example");
  EXPECT_EQ(url.port, "8835");

  url = parse_base_url("http://127.0.0.1");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.port, "8834");

  url = parse_base_url("https://[::1]:9000");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, "9000");
}

TEST(ParseBaseUrl, RejectsWhatItCannotUse) {
  for (const char* bad : {"ftp://host", "nessus:8834", "https://", "https://host:0", "https://host:99999",
                          "https://host/api", "https://user:pw@host", "https://[::1"}) {
    try {
      parse_base_url(bad);
      ADD_FAILURE() << bad;
    } catch (const core::Error& error) {
      EXPECT_EQ(error.kind(), core::ErrorKind::bad_input) << bad;
    }
  }
}

TEST(ExtractApiToken, FindsTheUuidInTheBundle) {
  const std::string bundle =
      std::string(100000, 'x') +
      R"(;{key:"getApiToken",value:function(){return"778F4A9C-D797-4817-B110-EC427B724486"}},{key:"x")" +
      std::string(1000, 'y');
  EXPECT_EQ(extract_api_token(bundle), "778F4A9C-D797-4817-B110-EC427B724486");
  EXPECT_EQ(extract_api_token(R"(getApiToken',value:function() { return 'af824aba-e642-4e63-a49b-0810542ad8a5' })"),
            "af824aba-e642-4e63-a49b-0810542ad8a5");
}

TEST(ExtractApiToken, NothingWithoutAWellFormedToken) {
  EXPECT_FALSE(extract_api_token(""));
  EXPECT_FALSE(extract_api_token("var a = 1;"));
  EXPECT_FALSE(extract_api_token(R"({key:"getApiToken",value:function(){return"not-a-token"}})"));
  // The token must sit inside the same object literal as the key.
  EXPECT_FALSE(extract_api_token(R"({key:"getApiToken"}} return"778F4A9C-D797-4817-B110-EC427B724486")"));
  // Too far from the key, too short, not closed by a quote, a character that is no hex digit.
  EXPECT_FALSE(
      extract_api_token("getApiToken" + std::string(600, ' ') + R"(return"778F4A9C-D797-4817-B110-EC427B724486")"));
  EXPECT_FALSE(extract_api_token(R"(getApiToken return "778F4A9C-D797-4817-B110-EC427B72448")"));
  EXPECT_FALSE(extract_api_token(R"(getApiToken return "778F4A9C-D797-4817-B110-EC427B7244861")"));
  EXPECT_FALSE(extract_api_token(R"(getApiToken return "778F4A9C-D797-4817-B110-EC427B72448G")"));
}

TEST(ExtractApiToken, SkipsReturnsThatHoldNoTokenAndKeysWithoutOne) {
  EXPECT_EQ(extract_api_token(R"({key:"getApiToken",value:function(){if(x)return null;RETURN
      '778f4a9c-d797-4817-b110-ec427b724486'}})"),
            "778f4a9c-d797-4817-b110-ec427b724486");
  EXPECT_EQ(
      extract_api_token(
          R"(a.getApiToken=b;{key:"getApiToken",value:function(){return"00000000-0000-4000-8000-000000000000"}})"),
      "00000000-0000-4000-8000-000000000000");
  EXPECT_FALSE(extract_api_token(std::string(1 << 20, 'g') + "getApiToken" + std::string(1 << 20, 'r')));
}

TEST(JsonReading, IdsAsNumbersOrStringsAndNullArrays) {
  EXPECT_EQ(json_integer(json(42)), 42);
  EXPECT_EQ(json_integer(json("1911844196")), 1911844196);
  EXPECT_EQ(json_integer(json("x1"), -1), -1);
  EXPECT_EQ(json_integer(json(nullptr), 7), 7);
  EXPECT_EQ(json_string(json(3), "d"), "d");
  const json document = {{"scans", nullptr}, {"n", 1}};
  EXPECT_TRUE(array_member(document, "scans").empty());
  EXPECT_TRUE(array_member(document, "absent").empty());
  EXPECT_TRUE(member(json("text"), "n").is_null());
}

// The details of a document given as JSON (the parser reads text).
ScanDetails details(const json& document) {
  const auto parsed = parse_scan_details(document.dump());
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(ScanDetails{});
}

TEST(ScanDetailsParsing, ProgressIsTheRatioOfCheckCountersOverHosts) {
  EXPECT_EQ(run_state_of(details({{"hosts", nullptr}}), "").progress, 0);
  EXPECT_EQ(run_state_of(details({{"hosts", json::array()}}), "").progress, 0);
  const json hosts = json::array({{{"scanprogresscurrent", 50}, {"scanprogresstotal", 100}},
                                  {{"scanprogresscurrent", "150"}, {"scanprogresstotal", "100"}}});
  EXPECT_DOUBLE_EQ(run_state_of(details({{"hosts", hosts}}), "").progress, 100.0);
  const json partial =
      json::array({{{"scanprogresscurrent", 1927}, {"scanprogresstotal", 95562}}, {{"scanprogresscurrent", nullptr}}});
  const auto state = run_state_of(details({{"hosts", partial}}), "");
  EXPECT_NEAR(state.progress, 100.0 * 1927 / 95562, 1e-9);
  EXPECT_EQ(state.hosts, 2);
  const json empty_total = json::array({{{"scanprogresscurrent", 0}, {"scanprogresstotal", 0}}});
  EXPECT_EQ(run_state_of(details({{"hosts", empty_total}}), "").progress, 0);
}

TEST(ScanDetailsParsing, KeepsOnlyTheFieldsInTheirPlaces) {
  // Same names elsewhere in the document (vulnerabilities, nested objects) are not taken.
  const json document = {
      {"vulnerabilities", json::array({{{"status", "x"}, {"uuid", "v"}, {"scanprogresstotal", 7}}})},
      {"info", {{"status", "running"}, {"uuid", "run-1"}, {"acls", json::array({{{"status", "acl"}}})}}},
      {"hosts",
       json::array(
           {{{"scanprogresscurrent", 1}, {"scanprogresstotal", 4}, {"severitycount", {{"scanprogresstotal", 1000}}}}})},
      {"history", json::array({{{"uuid", "run-0"}, {"status", "completed"}, {"history_id", 9}}})},
      {"status", "top-level"}};
  const auto parsed = details(document);
  EXPECT_EQ(parsed.status, "running");
  EXPECT_EQ(parsed.uuid, "run-1");
  EXPECT_EQ(parsed.hosts, 1);
  EXPECT_DOUBLE_EQ(parsed.progress_total, 4);
  ASSERT_EQ(parsed.history.size(), 1u);
  EXPECT_EQ(parsed.history[0].uuid, "run-0");
  EXPECT_EQ(parsed.history[0].status, "completed");
  EXPECT_FALSE(parse_scan_details("{\"info\": {").has_value());
  EXPECT_FALSE(parse_scan_details("not json").has_value());
}

TEST(RunStateParsing, MatchesInfoUuid) {
  const json document = {{"info", {{"uuid", "run-2"}, {"status", "running"}}},
                         {"hosts", json::array({{{"scanprogresscurrent", 1}, {"scanprogresstotal", 4}}})},
                         {"history", nullptr}};
  const auto state = run_state_of(details(document), "run-2");
  EXPECT_TRUE(state.run_found);
  EXPECT_EQ(state.status, "running");
  EXPECT_DOUBLE_EQ(state.progress, 25.0);
  EXPECT_EQ(state.hosts, 1);
}

TEST(RunStateParsing, FallsBackToHistoryThenReportsNotFound) {
  const json stale = {{"info", {{"uuid", "run-1"}, {"status", "completed"}}},
                      {"hosts", nullptr},
                      {"history", json::array({{{"uuid", "run-1"}, {"status", "completed"}},
                                               {{"uuid", "run-2"}, {"status", "pending"}}})}};
  auto state = run_state_of(details(stale), "run-2");
  EXPECT_TRUE(state.run_found);
  EXPECT_EQ(state.status, "pending");
  EXPECT_EQ(state.hosts, 0);

  state = run_state_of(details(stale), "run-3");
  EXPECT_FALSE(state.run_found);
  EXPECT_EQ(state.status, "completed");
}

TEST(RunStateParsing, CurrentRunUuid) {
  EXPECT_EQ(current_run_uuid_of(details({{"info", {{"uuid", "abc"}, {"status", "running"}}}})), "abc");
  EXPECT_EQ(current_run_uuid_of(details({{"info", {{"uuid", "template-abc"}, {"status", "empty"}}}})), "");
  EXPECT_EQ(current_run_uuid_of(details({{"info", {{"uuid", nullptr}, {"status", "empty"}}}})), "");
  EXPECT_EQ(current_run_uuid_of(details(json::object())), "");
}

TEST(ScanList, ToleratesNullAndStringIds) {
  EXPECT_TRUE(parse_scan_list(json{{"scans", nullptr}}.dump())->empty());
  const json document = {{"scans", json::array({{{"id", "20"},
                                                 {"name", "a"},
                                                 {"status", "running"},
                                                 {"uuid", nullptr},
                                                 {"folder_id", 3},
                                                 {"creation_date", 5},
                                                 {"last_modification_date", 6}},
                                                {{"name", "no id"}}})}};
  const auto entries = parse_scan_list(document.dump());
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].id, 20);
  EXPECT_EQ((*entries)[0].uuid, "");
  EXPECT_EQ((*entries)[0].folder_id, 3);
  EXPECT_EQ((*entries)[0].last_modification_date, 6);
}

// The listing as Nessus sends it (every field of each scan, folders, a timestamp): only the
// root's scans are read, nested values and other arrays do not leak into them, a later
// duplicate wins, a container where a field was expected counts as absent.
TEST(ScanList, ReadsOnlyTheRootScansAsTheyStreamPast) {
  const std::string body = R"({"folders":[{"id":3,"type":"main","name":"My Scans"}],
    "scans":[{"folder_id":3,"type":"remote","read":true,"last_modification_date":1700000100,
              "creation_date":1700000000,"status":"running","uuid":"run-1","shared":false,
              "user_permissions":128,"owner":"nessus","schedule_uuid":"s-1","timezone":null,
              "rrules":null,"starttime":null,"enabled":false,"control":true,"name":"a [t1]","id":42,
              "live_results":0,"progress":{"id":7,"name":"inner","nested":[1,{"status":"x"}]}},
             {"id":"43","name":"b","status":"completed","uuid":null,"status":"canceled"},
             {"id":{"value":44},"name":"container id"},
             17, "text", [{"id":45}]],
    "timestamp":1700000200,
    "other":{"scans":[{"id":99}]}})";
  const auto entries = parse_scan_list(body);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  const auto& first = (*entries)[0];
  EXPECT_EQ(first.id, 42);
  EXPECT_EQ(first.name, "a [t1]");
  EXPECT_EQ(first.status, "running");
  EXPECT_EQ(first.uuid, "run-1");
  EXPECT_EQ(first.folder_id, 3);
  EXPECT_EQ(first.creation_date, 1700000000);
  EXPECT_EQ(first.last_modification_date, 1700000100);
  EXPECT_EQ((*entries)[1].id, 43);
  EXPECT_EQ((*entries)[1].status, "canceled");
  EXPECT_EQ((*entries)[1].uuid, "");
  EXPECT_TRUE(parse_scan_list(R"({"scans":[{"id":1}],"scans":null})")->empty());
  EXPECT_TRUE(parse_scan_list(R"([{"scans":[{"id":1}]}])")->empty());
  EXPECT_FALSE(parse_scan_list(R"({"scans":[{"id":1}])"));
  EXPECT_FALSE(parse_scan_list(R"({"scans":[]} trailing)"));
  EXPECT_FALSE(parse_scan_list(""));
}

TEST(Folders, LookedUpByType) {
  const json nessus6 = {{"folders", json::array({{{"id", 2}, {"type", "main"}}, {{"id", 3}, {"type", "trash"}}})}};
  EXPECT_EQ(folder_id_of_type(nessus6, "main"), 2);
  EXPECT_EQ(folder_id_of_type(nessus6, "trash"), 3);
  EXPECT_FALSE(folder_id_of_type(json{{"folders", nullptr}}, "main"));
}

TEST(Templates, ByNameOrTitleWithFallback) {
  const json document = {
      {"templates", json::array({{{"uuid", "u-adv"}, {"name", "advanced"}, {"title", "Advanced Scan"}},
                                 {{"uuid", "u-custom"}, {"name", "x"}, {"title", "My Policy"}}})}};
  EXPECT_EQ(template_uuid(document, "advanced"), "u-adv");
  EXPECT_EQ(template_uuid(document, "my policy"), "u-custom");
  EXPECT_EQ(template_uuid(json(), "basic"), "731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65");
  EXPECT_FALSE(template_uuid(document, "nonexistent"));
}

TEST(CreateBody, SettingsAndSshCredentials) {
  NewScan scan{"task-1", "desc", "10.0.0.1, 10.0.0.2", std::nullopt};
  auto body = create_scan_body(scan, "u-adv", 3);
  EXPECT_EQ(body["uuid"], "u-adv");
  EXPECT_EQ(body["settings"]["name"], "task-1");
  EXPECT_EQ(body["settings"]["text_targets"], "10.0.0.1, 10.0.0.2");
  EXPECT_EQ(body["settings"]["enabled"], false);
  EXPECT_EQ(body["settings"]["launch_now"], false);
  EXPECT_EQ(body["settings"]["folder_id"], 3);
  EXPECT_FALSE(body.contains("credentials"));

  scan.ssh = SshCredentials{"svc", "pw", "password", "sudo", "root", "epw"};
  body = create_scan_body(scan, "u-adv", 3);
  const auto& ssh = body["credentials"]["add"]["Host"]["SSH"][0];
  EXPECT_EQ(ssh["username"], "svc");
  EXPECT_EQ(ssh["password"], "pw");
  EXPECT_EQ(ssh["auth_method"], "password");
  EXPECT_EQ(ssh["elevate_privileges_with"], "sudo");
  EXPECT_EQ(ssh["escalation_account"], "root");
  EXPECT_EQ(ssh["escalation_password"], "epw");
  EXPECT_TRUE(body["credentials"]["edit"].is_object());
  EXPECT_TRUE(body["credentials"]["delete"].is_array());
}

TEST(ErrorMapping, StatusToKind) {
  using core::ErrorKind;
  EXPECT_EQ(error_kind_for_status(400), ErrorKind::client);
  EXPECT_EQ(error_kind_for_status(401), ErrorKind::auth);
  EXPECT_EQ(error_kind_for_status(403), ErrorKind::client);
  EXPECT_EQ(error_kind_for_status(404), ErrorKind::not_found);
  EXPECT_EQ(error_kind_for_status(405), ErrorKind::client);
  EXPECT_EQ(error_kind_for_status(409), ErrorKind::conflict);
  EXPECT_EQ(error_kind_for_status(412), ErrorKind::api_disabled);
  EXPECT_EQ(error_kind_for_status(500), ErrorKind::server);
  EXPECT_EQ(error_kind_for_status(503), ErrorKind::server);
}

TEST(ErrorText, JsonMemberOrRedactedExcerpt) {
  EXPECT_EQ(error_text(R"({"error":"API is not available"})"), "API is not available");
  EXPECT_EQ(error_text(""), "");
  EXPECT_EQ(error_text("{\"error\""), "{\"error\"");  // truncated body does not throw
  const auto text = error_text("oops password=hunter2\nmore");
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_LE(error_text(std::string(5000, 'a')).size(), 200u);
}

TEST(ErrorText, HugeBodiesAreBoundedAndRedacted) {
  const std::string huge_error = R"({"error":"login failed for password=hunter2 )" + std::string(100000, 'e') + R"("})";
  const auto from_member = error_text(huge_error);
  EXPECT_LE(from_member.size(), 201u);  // 200 bytes, then "hunter2" became "********"
  EXPECT_EQ(from_member.rfind("login failed for password=********", 0), 0u);
  // Cut inside a secret: nothing of it stays.
  const std::string cut = std::string(180, ' ') + R"({"password":"hunter2hunter2hunter2"})";
  EXPECT_EQ(error_text(cut).find("hunter"), std::string::npos);
  EXPECT_EQ(error_text(std::string(100000, 'x') + "\n").size(), 200u);
  EXPECT_EQ(error_text(std::string(1 << 20, '[') + std::string(1 << 20, ']')), std::string(200, '['));
  EXPECT_EQ(error_text("a\r\nb\x01"), "a\\r\\nb\\x01");
}

TEST(Fingerprints, NormalizedComparison) {
  const std::string hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  std::string colons;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    colons += (i ? ":" : "") + hex.substr(i, 2);
  }
  EXPECT_EQ(normalize_fingerprint(colons), hex);
  EXPECT_TRUE(fingerprint_matches("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", hex));
  EXPECT_TRUE(fingerprint_matches(colons, hex));
  EXPECT_FALSE(fingerprint_matches(hex, std::string(64, '0')));
  EXPECT_FALSE(fingerprint_matches("", ""));
  EXPECT_EQ(normalize_fingerprint("abc"), "");
  EXPECT_EQ(normalize_fingerprint(std::string(64, 'g')), "");
}

TEST(EndpointLabel, ReplacesIdsAndTokens) {
  EXPECT_EQ(endpoint_label("GET", "/scans/42?history_id=7"), "GET /scans/{id}");
  EXPECT_EQ(endpoint_label("GET", "/scans/42/export/1911844196/status"), "GET /scans/{id}/export/{id}/status");
  EXPECT_EQ(endpoint_label("GET", "/tokens/ce2d5454077808c03a10bea77ceb384baa3a5410882ca5d00b33da3d01207c37/download"),
            "GET /tokens/{token}/download");
  EXPECT_EQ(endpoint_label("POST", "/session"), "POST /session");
  EXPECT_EQ(endpoint_label("GET", "/nessus6.js?v=1"), "GET /nessus6.js");
}

}  // namespace
}  // namespace sw::nessus
