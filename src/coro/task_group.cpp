// TaskGroup: see task_group.hpp.
#include "coro/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <exception>

#include "telemetry/log.hpp"

namespace sw::coro {

namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor executor, std::string what)
    : executor_(executor), what_(std::move(what)), state_(std::make_shared<State>(executor)) {
  state_->emptied.set();
}

TaskGroup::~TaskGroup() { cancel(); }

void TaskGroup::spawn(asio::awaitable<void> work, std::function<nlohmann::json()> context) {
  const auto child = state_->children.emplace(state_->children.end());
  state_->emptied.reset();
  auto on_end = [state = state_, child, what = what_, context = std::move(context)](std::exception_ptr error) {
    if (error) {
      nlohmann::json fields = context ? context() : nlohmann::json::object();
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        fields["error"] = e.what();
      } catch (...) {
        fields["error"] = "unknown exception";
      }
      telemetry::log_error(what + " ended with an unexpected error", fields);
    }
    state->children.erase(child);
    if (state->children.empty()) state->emptied.set();
  };
  asio::co_spawn(executor_, std::move(work), asio::bind_cancellation_slot(child->cancel.slot(), std::move(on_end)));
}

std::size_t TaskGroup::size() const { return state_->children.size(); }

void TaskGroup::cancel() {
  for (auto& child : state_->children) child.cancel.emit(asio::cancellation_type::terminal);
}

asio::awaitable<void> TaskGroup::join() {
  const std::shared_ptr<State> state = state_;
  co_await state->emptied.wait();
}

asio::awaitable<bool> TaskGroup::join_until(Event::Clock::time_point deadline) {
  const std::shared_ptr<State> state = state_;
  co_return co_await state->emptied.wait_until(deadline);
}

}  // namespace sw::coro
