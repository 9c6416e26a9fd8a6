// Plugin initialization and attributes, and events.
#include <string>
#include <utility>

#include "api_internal.h"

namespace xlaprune::pjrt {

std::shared_ptr<EventState> EventState::Ready(Status status) {
  auto state = std::make_shared<EventState>();
  state->ready_ = true;
  state->status_ = std::move(status);
  return state;
}

bool EventState::TrySet(Status status) {
  std::vector<std::function<void(const Status&)>> callbacks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ready_) return false;
    status_ = std::move(status);
    ready_ = true;
    callbacks.swap(callbacks_);
  }
  ready_cv_.notify_all();
  // status_ no longer changes once ready, so reading it unlocked is safe.
  for (auto& callback : callbacks) callback(status_);
  return true;
}

void EventState::Set(Status status) { (void)TrySet(std::move(status)); }

bool EventState::IsReady() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ready_;
}

const Status& EventState::Wait() const {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_cv_.wait(lock, [this] { return ready_; });
  return status_;
}

void EventState::OnReady(std::function<void(const Status&)> callback) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!ready_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback(status_);
}

PJRT_Event* NewReadyEvent(Status status) {
  if (status.ok()) {
    // Every event that is born complete and successful shares one state: a ready state never changes again (Set
    // and TrySet refuse it, OnReady runs the callback at once and keeps nothing), so sharing it is unobservable and
    // saves an allocation, a mutex and a condition variable per execute and per transfer. Never freed, so no event
    // can outlive it at exit.
    static const auto* const kOk = new std::shared_ptr<EventState>(EventState::Ready());
    return new PJRT_Event{*kOk};
  }
  return new PJRT_Event{EventState::Ready(std::move(status))};
}

namespace {

PJRT_Error* ErrorOf(const Status& status) noexcept {
  return status.ok() ? nullptr : MakeError(status.code, status.message);
}

}  // namespace
}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

XLAPRUNE_ENTRY(PJRT_Plugin_Initialize) { (void)args; }

// xla_version: the PJRT C API minor version this plugin implements (XLA plugins report their
// own XLA version number here; ours has none, so it reports the API level it follows).
XLAPRUNE_ENTRY(PJRT_Plugin_Attributes) {
  static const PJRT_NamedValue attributes[] = {
      Int64Value("xla_version", PJRT_API_MINOR),
      StringValue("xlaprune_version", kPluginVersion),
      StringValue("program_formats", "hlo"),
  };
  args->attributes = attributes;
  args->num_attributes = sizeof(attributes) / sizeof(attributes[0]);
}

XLAPRUNE_ENTRY(PJRT_Event_Destroy) { delete args->event; }

XLAPRUNE_ENTRY(PJRT_Event_IsReady) {
  Require(args->event, "PJRT_Event_IsReady_Args.event");
  args->is_ready = args->event->state->IsReady();
}

XLAPRUNE_ENTRY(PJRT_Event_Error) {
  Require(args->event, "PJRT_Event_Error_Args.event");
  if (!args->event->state->IsReady()) {
    Fail(PJRT_Error_Code_FAILED_PRECONDITION, "PJRT_Event_Error called before the event is ready");
  }
  const Status& status = args->event->state->Wait();
  if (!status.ok()) throw ApiError(status.code, status.message);
}

XLAPRUNE_ENTRY(PJRT_Event_Await) {
  Require(args->event, "PJRT_Event_Await_Args.event");
  const Status& status = args->event->state->Wait();
  if (!status.ok()) throw ApiError(status.code, status.message);
}

XLAPRUNE_ENTRY(PJRT_Event_OnReady) {
  Require(args->event, "PJRT_Event_OnReady_Args.event");
  Require(args->callback, "PJRT_Event_OnReady_Args.callback");
  PJRT_Event_OnReadyCallback callback = args->callback;
  void* user_arg = args->user_arg;
  // The callback owns the error it receives.
  args->event->state->OnReady([callback, user_arg](const Status& status) { callback(ErrorOf(status), user_arg); });
}

XLAPRUNE_ENTRY(PJRT_Event_Create) {
  auto state = std::make_shared<EventState>();
  state->MarkSettable();
  args->event = new PJRT_Event{std::move(state)};
}

XLAPRUNE_ENTRY(PJRT_Event_Set) {
  Require(args->event, "PJRT_Event_Set_Args.event");
  if (!args->event->state->Settable()) InvalidArgument("PJRT_Event_Set: the event was not created by PJRT_Event_Create");
  const int code = RawEnum(args->error_code);
  if (code < PJRT_Error_Code_OK || code > PJRT_Error_Code_UNAUTHENTICATED) {
    InvalidArgument("PJRT_Event_Set: error_code " + std::to_string(code) +
                    " is not a PJRT_Error_Code");
  }
  if (args->error_message == nullptr && args->error_message_size != 0) {
    InvalidArgument("PJRT_Event_Set: error_message is null but error_message_size is " +
                    std::to_string(args->error_message_size));
  }
  Status status;
  status.code = static_cast<PJRT_Error_Code>(code);
  if (args->error_message != nullptr) status.message.assign(args->error_message, args->error_message_size);
  if (!args->event->state->TrySet(std::move(status))) {
    Fail(PJRT_Error_Code_FAILED_PRECONDITION, "PJRT_Event_Set: the event is already set");
  }
}
