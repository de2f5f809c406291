// Tests of dead-letter entry building, reading and retry messages.
#include <gtest/gtest.h>

#include "queue/dead_letter.hpp"

namespace sw::queue {
namespace {

const core::TimePoint kFailedAt = *core::parse_iso("2025-12-01T14:30:22.123456");

TEST(DeadLetterEntry, TaskObjectKeepsFieldsAndRedactsSecrets) {
  const std::string raw = R"({"task_id":"t1","scan_type":"authenticated","payload":{"targets":"h",)"
                          R"("credentials":{"username":"u","password":"p4ss"}}})";
  const auto entry = make_dead_letter_entry(raw, "nessus", "scanner refused", kFailedAt, {{"deliveries", 3}});
  EXPECT_EQ(entry["task_id"], "t1");
  EXPECT_EQ(entry["payload"]["credentials"]["username"], "u");
  EXPECT_EQ(entry["payload"]["credentials"]["password"], "********");
  EXPECT_EQ(entry["error"], "scanner refused");
  EXPECT_EQ(entry["failed_at"], "2025-12-01T14:30:22.123456");
  EXPECT_EQ(entry["scanner_pool"], "nessus");
  EXPECT_EQ(entry["deliveries"], 3);
  EXPECT_EQ(entry.dump().find("p4ss"), std::string::npos);
}

TEST(DeadLetterEntry, KeepsTheTasksOwnPool) {
  const auto entry =
      make_dead_letter_entry(R"({"task_id":"t1","scanner_pool":"nessus_dmz"})", "nessus", "x", kFailedAt);
  EXPECT_EQ(entry["scanner_pool"], "nessus_dmz");
}

TEST(DeadLetterEntry, NotAnObjectKeepsRawTextRedacted) {
  for (const std::string& raw :
       {std::string(R"(not json "password": "p4ss")"), std::string(R"([1,2,3])"), std::string(R"("just a string")")}) {
    const auto entry = make_dead_letter_entry(raw, "nessus", "not a JSON object", kFailedAt);
    ASSERT_TRUE(entry.contains("raw")) << raw;
    EXPECT_EQ(entry["error"], "not a JSON object");
    EXPECT_EQ(entry["scanner_pool"], "nessus");
    EXPECT_EQ(entry.dump().find("p4ss"), std::string::npos);
  }
  EXPECT_EQ(make_dead_letter_entry("[1,2,3]", "nessus", "r", kFailedAt)["raw"], "[1,2,3]");
}

TEST(DeadLetterEntry, ReasonIsRedacted) {
  const auto entry = make_dead_letter_entry("{}", "nessus", "login failed password=hunter2", kFailedAt);
  EXPECT_EQ(entry["error"].get<std::string>().find("hunter2"), std::string::npos);
}

TEST(DeadLetterEntry, ReasonControlCharactersAreEscaped) {
  using namespace std::string_literals;
  const std::string reason = "bad task_id 'x\nINFO forged line' then\0 hidden\r\t\x1b"s;
  const auto entry = make_dead_letter_entry("{}", "nessus", reason, kFailedAt);
  EXPECT_EQ(entry["error"], "bad task_id 'x\\nINFO forged line' then\\0 hidden\\r\\t\\x1b");
  const auto letter = parse_dead_letter(dump_member(entry), 1.0);
  EXPECT_EQ(letter.error, entry["error"]);
}

TEST(DeadLetterEntry, CredentialsOfAnyShapeAreMasked) {
  for (const std::string credentials :
       {R"("u:S3CRET")", R"({"username":"u","privatekey":"S3CRET"})", R"({"username":"u","ssh_key":"S3CRET"})",
        R"({"username":"u","password":{"value":"S3CRET"}})", R"({"username":"u","password":["S3CRET"]})"}) {
    const std::string raw =
        R"({"task_id":"t1","scan_type":"authenticated","payload":{"targets":"h","credentials":)" + credentials + "}}";
    const auto entry = make_dead_letter_entry(raw, "nessus", "r", kFailedAt);
    EXPECT_EQ(dump_member(entry).find("S3CRET"), std::string::npos) << credentials;
    EXPECT_EQ(entry["task_id"], "t1");
  }
}

TEST(DeadLetterEntry, DeepNestingIsKeptAsRawTextNotParsed) {
  const std::string deep =
      R"({"task_id":"t1","password":"hunter2","x":)" + std::string(1 << 22, '[') + std::string(1 << 22, ']') + "}";
  const auto entry = make_dead_letter_entry(deep, "nessus", "nested deeper than 64 levels", kFailedAt);
  ASSERT_TRUE(entry.contains("raw"));
  EXPECT_FALSE(entry.contains("task_id"));
  EXPECT_EQ(entry["raw"].get<std::string>().find("hunter2"), std::string::npos);
  const auto letter = parse_dead_letter(dump_member(entry), 1.0);
  EXPECT_FALSE(retry_message(letter));

  const auto deep_member = parse_dead_letter(deep, 1.0);
  EXPECT_EQ(deep_member.entry["raw"], deep);
  EXPECT_FALSE(deep_member.task_id);
}

TEST(DeadLetterRead, PythonWorkerFormat) {
  const std::string member =
      R"({"task_id": "ne_scan_1", "trace_id": "tr", "scan_type": "untrusted", "scanner_pool": "nessus",)"
      R"( "payload": {"targets": "10.0.0.1"}, "error": "Scanner unreachable", "failed_at": "2025-12-01T14:30:22.123456"})";
  const auto letter = parse_dead_letter(member, 1764599422.123456);
  EXPECT_EQ(letter.task_id, "ne_scan_1");
  EXPECT_EQ(letter.error, "Scanner unreachable");
  EXPECT_EQ(letter.failed_at, "2025-12-01T14:30:22.123456");
  EXPECT_EQ(core::format_iso(letter.failed_time).substr(0, 19), "2025-12-01T14:30:22");
  EXPECT_FALSE(letter.deliveries);
  EXPECT_EQ(letter.member, member);

  const auto retry = retry_message(letter);
  ASSERT_TRUE(retry);
  const auto message = nlohmann::json::parse(*retry);
  EXPECT_FALSE(message.contains("error"));
  EXPECT_FALSE(message.contains("failed_at"));
  EXPECT_EQ(message["task_id"], "ne_scan_1");
  EXPECT_EQ(message["scanner_pool"], "nessus");
  EXPECT_EQ(message["payload"]["targets"], "10.0.0.1");
}

TEST(DeadLetterRead, DeliveriesAndRawEntries) {
  const auto poison = parse_dead_letter(R"({"task_id":"t","error":"poison","deliveries":3})", 1.0);
  EXPECT_EQ(poison.deliveries, 3);
  EXPECT_FALSE(nlohmann::json::parse(*retry_message(poison)).contains("deliveries"));

  const auto raw = parse_dead_letter(R"({"raw":"garbage","error":"not valid JSON"})", 1.0);
  EXPECT_FALSE(raw.task_id);
  EXPECT_FALSE(retry_message(raw));

  const auto not_json = parse_dead_letter("garbage", 1.0);
  EXPECT_EQ(not_json.entry["raw"], "garbage");
  EXPECT_FALSE(retry_message(not_json));
}

TEST(DeadLetterEntry, OversizedEntryKeepsItsFirstBytesItsSizeAndItsIdButIsNoTask) {
  const std::string raw = R"({"task_id":"big1","payload":{"credentials":{"password":"hunter2"},"targets":")" +
                          std::string(5000, '9') + "\u00e9" + std::string(5000, '9') + "\"}}";
  const auto entry = make_oversized_dead_letter_entry(raw, "nessus", "too large", kFailedAt, 100);
  EXPECT_EQ(entry["raw_bytes"], raw.size());
  EXPECT_EQ(entry["task_id"], "big1");
  EXPECT_LE(entry["raw"].get<std::string>().size(), 110u);  // the first 100 bytes, redacted
  EXPECT_EQ(entry.dump().find("hunter2"), std::string::npos);
  // A cut inside the secret keeps none of it.
  const std::size_t inside = raw.find("hunter2") + 4;
  const auto cut_secret = make_oversized_dead_letter_entry(raw, "nessus", "too large", kFailedAt, inside);
  EXPECT_EQ(cut_secret["raw"].get<std::string>().find("hunt"), std::string::npos) << cut_secret["raw"];
  EXPECT_FALSE(retry_message(parse_dead_letter(dump_member(entry), 1.0)));
  // A cut inside a two-byte character moves back to its first byte.
  const std::string accented = "\xc3\xa9\xc3\xa9";
  EXPECT_EQ(make_oversized_dead_letter_entry(accented, "nessus", "x", kFailedAt, 3)["raw"], "\xc3\xa9");
}

TEST(DeadLetterEntry, InvalidUtf8IsReplacedNotAFailedWrite) {
  const auto entry = make_dead_letter_entry("\xff\xfe garbage", "nessus", "reason \xc3", kFailedAt);
  const std::string member = dump_member(entry);
  EXPECT_NE(member.find("garbage"), std::string::npos);
  EXPECT_NE(member.find("\xef\xbf\xbd"), std::string::npos) << member;  // U+FFFD
}

TEST(DeadLetterScore, MicrosecondText) { EXPECT_EQ(format_score(kFailedAt), "1764599422.123456"); }

}  // namespace
}  // namespace sw::queue
