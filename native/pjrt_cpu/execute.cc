// PJRT_LoadedExecutable_Execute: argument checks, donation, one thread per replica sharing a
// collective hub, outputs and completion events. Execution finishes before the call returns, so
// every output buffer and completion event is ready when the caller sees it.
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "api_internal.h"

namespace xlaprune::pjrt {
namespace {

struct ReplicaRun {
  PJRT_Device* device = nullptr;
  PJRT_Buffer* const* buffers = nullptr;  // the caller's argument list of this replica
  std::vector<std::shared_ptr<cpu::DeviceBuffer>> arguments;
  std::vector<std::shared_ptr<cpu::DeviceBuffer>> results;
  std::exception_ptr error;
};

// Per-thread scratch reused by every execute on the thread, so a steady-state launch allocates nothing here but
// its outputs and its event. Execute never re-enters itself on one thread (the plugin runs no user code during it).
struct ExecuteScratch {
  std::vector<bool> donated;
  std::vector<ReplicaRun> runs;
  std::vector<std::unique_ptr<PJRT_Buffer>> outputs;
  std::vector<std::unique_ptr<PJRT_Event>> events;

  // Drops every reference the last execute took (argument storage, results, errors, unreleased outputs) and keeps
  // the capacity.
  void Clear() noexcept {
    for (ReplicaRun& run : runs) {
      run.buffers = nullptr;
      run.arguments.clear();
      run.results.clear();
      run.error = nullptr;
    }
    outputs.clear();
    events.clear();
  }
};

class ScratchLease {
 public:
  ScratchLease() : scratch_(Get()) {}
  ~ScratchLease() { scratch_.Clear(); }
  ScratchLease(const ScratchLease&) = delete;
  ScratchLease& operator=(const ScratchLease&) = delete;
  ExecuteScratch* operator->() const noexcept { return &scratch_; }

 private:
  // Out of line, so the thread-local address is computed once per execute rather than at every use.
  [[gnu::noinline]] static ExecuteScratch& Get() {
    thread_local ExecuteScratch scratch;
    return scratch;
  }
  ExecuteScratch& scratch_;
};

std::string ArgumentName(size_t index, size_t replica, size_t num_replicas) {
  std::string name = "argument " + std::to_string(index);
  if (num_replicas > 1) name += " of replica " + std::to_string(replica);
  return name;
}

// Checks one replica's arguments against the program's parameters. Names are built only for the error.
void CheckArguments(const cpu::Executable& engine, const ReplicaRun& run, size_t num_args, size_t replica,
                    size_t num_replicas) {
  const std::vector<cpu::ArrayShape>& parameters = engine.parameter_shapes();
  for (size_t i = 0; i < num_args; ++i) {
    PJRT_Buffer* buffer = run.buffers[i];
    if (buffer == nullptr) InvalidArgument(ArgumentName(i, replica, num_replicas) + " is null");
    if (buffer->device != run.device) {
      InvalidArgument(ArgumentName(i, replica, num_replicas) + " is on device " + buffer->device->description.debug_string +
                      " but the program runs on " + run.device->description.debug_string);
    }
    const cpu::ArrayShape& expected = parameters[i];
    if (buffer->shape.type != expected.type || buffer->shape.dims != expected.dims) {
      InvalidArgument(ArgumentName(i, replica, num_replicas) + " has shape " + ShapeString(buffer->shape) +
                      ", the program expects " + ShapeString(expected));
    }
  }
}

// Which parameters the execution may donate: aliased by an output and not excluded by the caller.
void DonatedParameters(const cpu::Executable& engine, const PJRT_ExecuteOptions* options, size_t num_args,
                       std::vector<bool>& donated) {
  donated.assign(num_args, false);
  for (int parameter : engine.output_aliases()) {
    if (parameter >= 0 && static_cast<size_t>(parameter) < num_args) donated[static_cast<size_t>(parameter)] = true;
  }
  if (options != nullptr && options->num_non_donatable_input_indices != 0) {
    Require(options->non_donatable_input_indices, "PJRT_ExecuteOptions.non_donatable_input_indices");
    for (size_t k = 0; k < options->num_non_donatable_input_indices; ++k) {
      int64_t index = options->non_donatable_input_indices[k];
      if (index < 0 || static_cast<uint64_t>(index) >= num_args) {
        InvalidArgument("non_donatable_input_indices contains " + std::to_string(index) + " but the program takes " +
                        std::to_string(num_args) + " arguments");
      }
      donated[static_cast<size_t>(index)] = false;
    }
  }
}

// A donated buffer must be passed once and be free of external references.
void CheckDonations(const ReplicaRun& run, size_t num_args, const std::vector<bool>& donated, size_t replica,
                    size_t num_replicas) {
  for (size_t i = 0; i < num_args; ++i) {
    if (!donated[i]) continue;
    for (size_t j = 0; j < num_args; ++j) {
      if (j != i && run.buffers[j] == run.buffers[i]) {
        InvalidArgument(ArgumentName(i, replica, num_replicas) + " is donated but the same buffer is also passed as argument " +
                        std::to_string(j));
      }
    }
    std::lock_guard<std::mutex> lock(run.buffers[i]->mutex);
    if (run.buffers[i]->external_references > 0) {
      InvalidArgument(ArgumentName(i, replica, num_replicas) + " is donated but has " +
                      std::to_string(run.buffers[i]->external_references) + " external references");
    }
  }
}

// The storage of a live argument; the message names the argument only when it has been deleted or donated.
std::shared_ptr<cpu::DeviceBuffer> ArgumentStorage(PJRT_Buffer* buffer, size_t index, size_t replica, size_t num_replicas) {
  {
    std::lock_guard<std::mutex> lock(buffer->mutex);
    if (buffer->storage != nullptr) return buffer->storage;
  }
  return LiveStorage(buffer, ArgumentName(index, replica, num_replicas).c_str());
}

void RunReplica(cpu::Executable& engine, ReplicaRun& run, const std::vector<bool>& donated, int replica,
                cpu::CollectiveHub* hub) noexcept {
  try {
    run.results = engine.Execute(run.arguments, donated, replica, hub);
  } catch (...) {
    run.error = std::current_exception();
    if (hub != nullptr) {
      std::string reason = "replica " + std::to_string(replica) + " failed";
      try {
        throw;
      } catch (const std::exception& e) {
        reason += ": " + std::string(e.what());
      } catch (...) {
      }
      cpu::AbortCollectiveHub(*hub, reason);
    }
  }
}

}  // namespace
}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_Execute) {
  PJRT_LoadedExecutable* loaded = Require(args->executable, "PJRT_LoadedExecutable_Execute_Args.executable");
  std::shared_ptr<ExecutableState> state = loaded->Live();
  // The caller keeps the loaded executable, hence its client, alive for the whole call.
  const std::shared_ptr<ClientState>& client = loaded->client;
  cpu::Executable& engine = *state->engine;
  const PJRT_ExecuteOptions* options = Require(args->options, "PJRT_LoadedExecutable_Execute_Args.options");
  // Fields past the donation list (contexts, callbacks, multi-slice) are not read.
  const size_t options_min = XLAPRUNE_FIELD_END(PJRT_ExecuteOptions, num_non_donatable_input_indices);
  if (options->struct_size < options_min) {
    InvalidArgument("Unexpected PJRT_ExecuteOptions size: expected " + std::to_string(options_min) + ", got " +
                    std::to_string(options->struct_size));
  }

  PJRT_Device* const* devices = loaded->addressable_devices.data();
  size_t num_replicas = loaded->addressable_devices.size();
  PJRT_Device* execute_device = nullptr;
  if (args->execute_device != nullptr) {
    execute_device = client->CheckDevice(args->execute_device, "PJRT_LoadedExecutable_Execute_Args.execute_device");
    if (state->num_replicas != 1) {
      Unimplemented("execute_device with a program of " + std::to_string(state->num_replicas) +
                    " replicas: the XlaPrune CPU plugin launches all replicas in one call");
    }
    devices = &execute_device;
    num_replicas = 1;
  }
  if (args->num_devices != num_replicas) {
    InvalidArgument("the program runs on " + std::to_string(num_replicas) + " device(s) but num_devices is " +
                    std::to_string(args->num_devices));
  }
  const size_t num_parameters = engine.parameter_shapes().size();
  if (args->num_args != num_parameters) {
    InvalidArgument("the program takes " + std::to_string(num_parameters) + " arguments, got " +
                    std::to_string(args->num_args));
  }
  const size_t num_outputs = engine.output_shapes().size();
  if (num_parameters > 0) Require(args->argument_lists, "PJRT_LoadedExecutable_Execute_Args.argument_lists");
  Require(args->output_lists, "PJRT_LoadedExecutable_Execute_Args.output_lists");

  ScratchLease scratch;
  std::vector<bool>& donated = scratch->donated;
  DonatedParameters(engine, options, num_parameters, donated);
  std::vector<ReplicaRun>& runs = scratch->runs;
  if (runs.size() < num_replicas) runs.resize(num_replicas);
  for (size_t r = 0; r < num_replicas; ++r) {
    ReplicaRun& run = runs[r];
    run.device = devices[r];
    if (num_parameters > 0) {
      run.buffers = args->argument_lists[r];
      if (run.buffers == nullptr) InvalidArgument("argument_lists[" + std::to_string(r) + "] is null");
    }
    if (num_outputs > 0 && args->output_lists[r] == nullptr) {
      InvalidArgument("output_lists[" + std::to_string(r) + "] is null");
    }
    CheckArguments(engine, run, num_parameters, r, num_replicas);
    CheckDonations(run, num_parameters, donated, r, num_replicas);
    for (size_t i = 0; i < num_parameters; ++i) {
      run.arguments.push_back(ArgumentStorage(run.buffers[i], i, r, num_replicas));
    }
  }
  // Donated buffers give up their storage now: the engine may write outputs into it. If the
  // execution then fails they stay deleted, since their contents may be partly overwritten.
  for (size_t r = 0; r < num_replicas; ++r) {
    for (size_t i = 0; i < num_parameters; ++i) {
      if (donated[i]) ReleaseStorage(runs[r].buffers[i], true);
    }
  }

  // Only a multi-replica run has anyone to meet in a collective; a single replica runs with no hub (the engine's
  // all-reduce over one participant leaves the values as they are).
  std::shared_ptr<cpu::CollectiveHub> hub = num_replicas > 1 ? cpu::MakeCollectiveHub(static_cast<int>(num_replicas)) : nullptr;
  std::vector<std::thread> threads;
  if (num_replicas > 1) {
    try {
      for (size_t r = 1; r < num_replicas; ++r) {
        threads.emplace_back(RunReplica, std::ref(engine), std::ref(runs[r]), std::cref(donated), static_cast<int>(r),
                             hub.get());
      }
    } catch (...) {
      if (hub != nullptr) cpu::AbortCollectiveHub(*hub, "could not start a thread for every replica");
      for (std::thread& thread : threads) thread.join();
      throw;
    }
  }
  RunReplica(engine, runs[0], donated, 0, hub.get());
  for (std::thread& thread : threads) thread.join();
  // A replica that failed on its own comes first: the others only saw the abort it caused.
  for (size_t r = 0; r < num_replicas; ++r) {
    if (runs[r].error == nullptr) continue;
    try {
      std::rethrow_exception(runs[r].error);
    } catch (const cpu::EngineError& e) {
      if (e.code() == cpu::ErrorCode::kAborted) continue;
      throw;
    }
  }
  for (size_t r = 0; r < num_replicas; ++r) {
    if (runs[r].error != nullptr) std::rethrow_exception(runs[r].error);
  }

  // Outputs and events are owned here until every one exists, then handed over at once.
  std::vector<std::unique_ptr<PJRT_Buffer>>& outputs = scratch->outputs;
  std::vector<std::unique_ptr<PJRT_Event>>& events = scratch->events;
  for (size_t r = 0; r < num_replicas; ++r) {
    ReplicaRun& run = runs[r];
    if (run.results.size() != num_outputs) {
      Fail(PJRT_Error_Code_INTERNAL, "the engine returned " + std::to_string(run.results.size()) + " outputs, expected " +
                                         std::to_string(num_outputs));
    }
    for (size_t i = 0; i < num_outputs; ++i) {
      if (run.results[i] == nullptr) Fail(PJRT_Error_Code_INTERNAL, "the engine returned a null output " + std::to_string(i));
      outputs.emplace_back(NewBuffer(client, run.device, std::move(run.results[i])));
    }
    if (args->device_complete_events != nullptr) events.emplace_back(NewReadyEvent());
  }
  for (size_t r = 0; r < num_replicas; ++r) {
    for (size_t i = 0; i < num_outputs; ++i) args->output_lists[r][i] = outputs[(r * num_outputs) + i].release();
    if (args->device_complete_events != nullptr) args->device_complete_events[r] = events[r].release();
  }
}
