// ExportFile: the ExportSink that stores a download at a path through store::AtomicFileWriter
// (temporary file beside it, fsync, rename), so the path holds the old file or the whole
// export, never a part. The blocking writes and the fsync run on a thread of its own, never
// on the event loop; at most kMaxQueuedBytes wait for that thread before the download waits.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "core/errors.hpp"
#include "nessus/export_sink.hpp"
#include "store/files.hpp"

namespace sw::nessus {

class ExportFile final : public ExportSink {
 public:
  static constexpr std::size_t kBatchBytes = std::size_t{1} << 20;      // handed to the thread at once
  static constexpr std::size_t kMaxQueuedBytes = std::size_t{8} << 20;  // unwritten before write() waits

  // Starts the writer thread; the temporary file is created by the first write or finish().
  explicit ExportFile(std::filesystem::path destination);
  // Stops the thread after the write under way; an unfinished file is removed.
  ~ExportFile() override;
  ExportFile(const ExportFile&) = delete;
  ExportFile& operator=(const ExportFile&) = delete;

  boost::asio::awaitable<void> write(std::string_view bytes) override;
  boost::asio::awaitable<void> finish() override;

 private:
  enum class Step { catch_up, commit };

  void hand_over();
  // Runs `step` on the writer thread once every batch handed over before is written (catch_up
  // does nothing more); rethrows in the caller the first failure of the writer or of `step`.
  boost::asio::awaitable<void> on_writer(Step step);
  // Writer thread only:
  store::AtomicFileWriter& file();
  void store_batch(const std::string& batch);

  std::filesystem::path destination_;
  std::string batch_;                         // bytes not yet handed to the thread
  std::atomic<std::size_t> queued_bytes_{0};  // handed over, not yet written
  std::atomic<bool> failed_{false};
  std::optional<store::AtomicFileWriter> file_;  // writer thread only
  std::optional<core::Error> failure_;           // writer thread only: the first failure
  boost::asio::io_context writer_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> keep_running_;
  std::thread thread_;
};

}  // namespace sw::nessus
