// Tests of nessus::ExportFile: a streamed export lands whole at its path only at finish(),
// beyond the strand's queue limit included; a sink dropped before finish() leaves nothing
// behind; a file that cannot be written fails the download with the path named.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>

#include "core/errors.hpp"
#include "nessus/export_file.hpp"
#include "store/files.hpp"
#include "support/temp_dir.hpp"

namespace sw::nessus {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kChunk = 64 * 1024;  // what the HTTP transport hands over at a time

// `size` bytes of a pattern that differs from chunk to chunk (a reordered or lost chunk shows).
std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    bytes[i] = static_cast<char>('a' + (i / 7 + i / kChunk) % 26);
  }
  return bytes;
}

asio::awaitable<void> stream(ExportSink& sink, std::string body) {
  for (std::size_t at = 0; at < body.size(); at += kChunk) {
    co_await sink.write(std::string_view(body).substr(at, kChunk));
  }
}

asio::awaitable<void> stream_and_finish(ExportSink& sink, std::string body) {
  auto streaming = stream(sink, std::move(body));  // named: no temporary in the co_await (GCC 12)
  co_await std::move(streaming);
  co_await sink.finish();
}

void run(asio::io_context& io, asio::awaitable<void> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.restart();
  io.run();
  future.get();
}

std::size_t entries_in(const std::filesystem::path& folder) {
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder)) {
    ++entries;
  }
  return entries;
}

TEST(ExportFile, StoresTheWholeBodyAtFinishBeyondTheQueueLimit) {
  testing::TempDir dir;
  const auto path = dir.path() / "scan_native.nessus";
  const auto body = pattern(3 * ExportFile::kMaxQueuedBytes + 12345);
  asio::io_context io;
  asio::thread_pool files(1);
  ExportFile sink(path, files.get_executor());
  run(io, stream(sink, body));
  EXPECT_FALSE(std::filesystem::exists(path));  // nothing at the path before finish()
  run(io, sink.finish());
  EXPECT_EQ(store::read_whole_file(path), body);
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(ExportFile, SmallAndEmptyBodies) {
  testing::TempDir dir;
  asio::io_context io;
  asio::thread_pool files(1);
  ExportFile small(dir.path() / "small.nessus", files.get_executor());
  run(io, stream_and_finish(small, "<?xml version=\"1.0\" ?>"));
  EXPECT_EQ(store::read_whole_file(dir.path() / "small.nessus"), "<?xml version=\"1.0\" ?>");
  ExportFile empty(dir.path() / "empty.nessus", files.get_executor());
  run(io, empty.finish());
  EXPECT_EQ(store::read_whole_file(dir.path() / "empty.nessus"), "");
  EXPECT_EQ(entries_in(dir.path()), 2u);
}

TEST(ExportFile, DroppedBeforeFinishLeavesTheOldFileAndNoTemporary) {
  testing::TempDir dir;
  const auto path = dir.path() / "scan_native.nessus";
  store::write_file_atomically(path, "previous export");
  asio::io_context io;
  asio::thread_pool files(1);
  {
    auto sink = std::make_unique<ExportFile>(path, files.get_executor());
    run(io, stream(*sink, pattern(2 * ExportFile::kMaxQueuedBytes)));
  }
  files.join();  // the temporary file is removed on the strand, after the sink is gone
  EXPECT_EQ(store::read_whole_file(path), "previous export");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(ExportFile, AFileThatCannotBeWrittenFailsNamingIt) {
  testing::TempDir dir;
  const auto path = dir.path() / "missing-folder" / "scan_native.nessus";
  asio::io_context io;
  asio::thread_pool files(1);
  ExportFile sink(path, files.get_executor());
  try {
    run(io, stream_and_finish(sink, pattern(3 * ExportFile::kMaxQueuedBytes)));
    FAIL() << "expected an error";
  } catch (const core::Error& error) {
    EXPECT_EQ(error.kind(), core::ErrorKind::internal);
    EXPECT_NE(std::string(error.what()).find("missing-folder"), std::string::npos) << error.what();
  }
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

}  // namespace
}  // namespace sw::nessus
