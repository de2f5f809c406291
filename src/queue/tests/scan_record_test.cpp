// Tests of the re-attach record: round trip and the checks on what Redis returns.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "queue/scan_record.hpp"

namespace sw::queue {
namespace {

TEST(ScanRecord, RoundTripsEveryField) {
  ScanRecord record;
  record.task_id = "t1";
  record.scanner = "scanner1";
  record.scan_id = 42;
  record.run_uuid = "u-1";
  record.status = "running";
  record.progress = 37.5;
  record.finishing = ScanRecord::Finishing{"scan failed", "scan_canceled"};
  const ScanRecord back = parse_scan_record(to_json(record).dump(), "t1", std::nullopt);
  EXPECT_EQ(to_json(back), to_json(record));
}

TEST(ScanRecord, AcceptsARecordWrittenBeforeRecordsNamedTheirTaskWhenTaskJsonAgrees) {
  const ScanRecord record = parse_scan_record(R"({"scanner":"s1","scan_id":7})", "t1", 7);
  EXPECT_EQ(record.task_id, "t1");
  EXPECT_EQ(record.scan_id, 7);
  EXPECT_FALSE(record.run_uuid);
  EXPECT_THROW(parse_scan_record(R"({"scanner":"s1","scan_id":7})", "t1", 8), core::Error);
  EXPECT_THROW(parse_scan_record(R"({"scanner":"s1","scan_id":7})", "t1", std::nullopt), core::Error);
}

TEST(ScanRecord, RefusesDamagedRecordsSayingWhat) {
  const struct {
    const char* text;
    const char* says;
  } cases[] = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"task_id":"other","scanner":"s1","scan_id":7})", "another task"},
      {R"({"scanner":"s1","scan_id":"7"})", "\"scan_id\" is not a positive integer"},
      {R"({"scanner":"s1","scan_id":-3})", "\"scan_id\" is not a positive integer"},
      {R"({"scan_id":7})", "a scan id without its scanner"},
      {R"({"scanner":5,"scan_id":7})", "\"scanner\" is not a string"},
      {R"({"scanner":"","scan_id":7})", "\"scanner\" is empty"},
      {R"({"scanner":"s1","scan_id":7,"progress":"half"})", "\"progress\" is not a number"},
      {R"({"task_id":"t1","finishing":"yes"})", "\"finishing\" is not an object"},
  };
  for (const auto& c : cases) {
    try {
      parse_scan_record(c.text, "t1", 7);
      ADD_FAILURE() << "accepted " << c.text;
    } catch (const core::Error& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::bad_input);
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("sw:scan:t1"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace sw::queue
