// ExportFile: an export download stored through store::AtomicFileWriter on a writer thread;
// see export_file.hpp.
#include "nessus/export_file.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sw::nessus {

namespace asio = boost::asio;

ExportFile::ExportFile(std::filesystem::path destination)
    : destination_(std::move(destination)),
      keep_running_(asio::make_work_guard(writer_)),
      thread_([this] { writer_.run(); }) {}

ExportFile::~ExportFile() {
  keep_running_.reset();
  writer_.stop();
  thread_.join();
}

asio::awaitable<void> ExportFile::write(std::string_view bytes) {
  batch_.append(bytes);
  if (batch_.size() < kBatchBytes) {
    co_return;
  }
  hand_over();
  if (queued_bytes_ > kMaxQueuedBytes || failed_) {
    co_await on_writer(Step::catch_up);
  }
}

asio::awaitable<void> ExportFile::finish() {
  hand_over();
  co_await on_writer(Step::commit);
}

void ExportFile::hand_over() {
  if (batch_.empty()) {
    return;
  }
  queued_bytes_ += batch_.size();
  asio::post(writer_, [this, batch = std::move(batch_)] {
    store_batch(batch);
    queued_bytes_ -= batch.size();
  });
  batch_.clear();
}

asio::awaitable<void> ExportFile::on_writer(Step step) {
  auto work = [this, step]() -> asio::awaitable<void> {
    if (failure_) {
      throw *failure_;
    }
    try {
      auto& written = file();
      if (step == Step::commit) {
        written.commit();
      }
    } catch (const core::Error& e) {
      failure_ = e;
      failed_ = true;
      throw;
    }
    co_return;
  };
  // Named, not a temporary of the co_await expression: GCC 12 destroys those twice.
  auto stepping = asio::co_spawn(writer_, std::move(work), asio::use_awaitable);
  co_await std::move(stepping);
}

store::AtomicFileWriter& ExportFile::file() {
  if (!file_) {
    file_.emplace(destination_);
  }
  return *file_;
}

void ExportFile::store_batch(const std::string& batch) {
  if (failure_) {
    return;  // the first failure stands; the caller learns it at its next wait
  }
  try {
    file().append(batch);
  } catch (const core::Error& e) {
    failure_ = e;
    failed_ = true;
  }
}

}  // namespace sw::nessus
