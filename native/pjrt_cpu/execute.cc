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
  std::vector<PJRT_Buffer*> buffers;
  std::vector<std::shared_ptr<cpu::DeviceBuffer>> arguments;
  std::vector<std::shared_ptr<cpu::DeviceBuffer>> results;
  std::exception_ptr error;
};

std::string ArgumentName(size_t index, size_t replica, size_t num_replicas) {
  std::string name = "argument " + std::to_string(index);
  if (num_replicas > 1) name += " of replica " + std::to_string(replica);
  return name;
}

// Checks one replica's arguments against the program's parameters.
void CheckArguments(const cpu::Executable& engine, ReplicaRun& run, size_t replica, size_t num_replicas) {
  const std::vector<cpu::ArrayShape>& parameters = engine.parameter_shapes();
  for (size_t i = 0; i < run.buffers.size(); ++i) {
    PJRT_Buffer* buffer = run.buffers[i];
    const std::string name = ArgumentName(i, replica, num_replicas);
    if (buffer == nullptr) InvalidArgument(name + " is null");
    if (buffer->device != run.device) {
      InvalidArgument(name + " is on device " + buffer->device->description.debug_string + " but the program runs on " +
                      run.device->description.debug_string);
    }
    const cpu::ArrayShape& expected = parameters[i];
    if (buffer->shape.type != expected.type || buffer->shape.dims != expected.dims) {
      InvalidArgument(name + " has shape " + ShapeString(buffer->shape) + ", the program expects " +
                      ShapeString(expected));
    }
  }
}

// Which parameters the execution may donate: aliased by an output and not excluded by the caller.
std::vector<bool> DonatedParameters(const cpu::Executable& engine, const PJRT_ExecuteOptions* options, size_t num_args) {
  std::vector<bool> donated(num_args, false);
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
  return donated;
}

// A donated buffer must be passed once and be free of external references.
void CheckDonations(const ReplicaRun& run, const std::vector<bool>& donated, size_t replica, size_t num_replicas) {
  for (size_t i = 0; i < run.buffers.size(); ++i) {
    if (!donated[i]) continue;
    for (size_t j = 0; j < run.buffers.size(); ++j) {
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
  std::shared_ptr<ClientState> client = loaded->client;
  cpu::Executable& engine = *state->engine;
  const PJRT_ExecuteOptions* options = Require(args->options, "PJRT_LoadedExecutable_Execute_Args.options");
  // Fields past the donation list (contexts, callbacks, multi-slice) are not read.
  const size_t options_min = XLAPRUNE_FIELD_END(PJRT_ExecuteOptions, num_non_donatable_input_indices);
  if (options->struct_size < options_min) {
    InvalidArgument("Unexpected PJRT_ExecuteOptions size: expected " + std::to_string(options_min) + ", got " +
                    std::to_string(options->struct_size));
  }

  std::vector<PJRT_Device*> devices = loaded->addressable_devices;
  if (args->execute_device != nullptr) {
    PJRT_Device* device = client->CheckDevice(args->execute_device, "PJRT_LoadedExecutable_Execute_Args.execute_device");
    if (state->num_replicas != 1) {
      Unimplemented("execute_device with a program of " + std::to_string(state->num_replicas) +
                    " replicas: the XlaPrune CPU plugin launches all replicas in one call");
    }
    devices = {device};
  }
  const size_t num_replicas = devices.size();
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

  std::vector<bool> donated = DonatedParameters(engine, options, num_parameters);
  std::vector<ReplicaRun> runs(num_replicas);
  for (size_t r = 0; r < num_replicas; ++r) {
    ReplicaRun& run = runs[r];
    run.device = devices[r];
    if (num_parameters > 0) {
      PJRT_Buffer* const* list = args->argument_lists[r];
      if (list == nullptr) InvalidArgument("argument_lists[" + std::to_string(r) + "] is null");
      run.buffers.assign(list, list + num_parameters);
    }
    if (num_outputs > 0 && args->output_lists[r] == nullptr) {
      InvalidArgument("output_lists[" + std::to_string(r) + "] is null");
    }
    CheckArguments(engine, run, r, num_replicas);
    CheckDonations(run, donated, r, num_replicas);
    for (size_t i = 0; i < num_parameters; ++i) {
      run.arguments.push_back(LiveStorage(run.buffers[i], ArgumentName(i, r, num_replicas).c_str()));
    }
  }
  // Donated buffers give up their storage now: the engine may write outputs into it. If the
  // execution then fails they stay deleted, since their contents may be partly overwritten.
  for (ReplicaRun& run : runs) {
    for (size_t i = 0; i < num_parameters; ++i) {
      if (donated[i]) ReleaseStorage(run.buffers[i], true);
    }
  }

  std::shared_ptr<cpu::CollectiveHub> hub = cpu::MakeCollectiveHub(static_cast<int>(num_replicas));
  std::vector<std::thread> threads;
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
  RunReplica(engine, runs[0], donated, 0, hub.get());
  for (std::thread& thread : threads) thread.join();
  // A replica that failed on its own comes first: the others only saw the abort it caused.
  for (ReplicaRun& run : runs) {
    if (run.error == nullptr) continue;
    try {
      std::rethrow_exception(run.error);
    } catch (const cpu::EngineError& e) {
      if (e.code() == cpu::ErrorCode::kAborted) continue;
      throw;
    }
  }
  for (ReplicaRun& run : runs) {
    if (run.error != nullptr) std::rethrow_exception(run.error);
  }

  std::vector<std::vector<std::unique_ptr<PJRT_Buffer>>> outputs(num_replicas);
  std::vector<std::unique_ptr<PJRT_Event>> events;
  for (size_t r = 0; r < num_replicas; ++r) {
    ReplicaRun& run = runs[r];
    if (run.results.size() != num_outputs) {
      Fail(PJRT_Error_Code_INTERNAL, "the engine returned " + std::to_string(run.results.size()) + " outputs, expected " +
                                         std::to_string(num_outputs));
    }
    for (size_t i = 0; i < num_outputs; ++i) {
      if (run.results[i] == nullptr) Fail(PJRT_Error_Code_INTERNAL, "the engine returned a null output " + std::to_string(i));
      outputs[r].emplace_back(NewBuffer(client, run.device, std::move(run.results[i])));
    }
    if (args->device_complete_events != nullptr) events.emplace_back(NewReadyEvent());
  }
  for (size_t r = 0; r < num_replicas; ++r) {
    for (size_t i = 0; i < num_outputs; ++i) args->output_lists[r][i] = outputs[r][i].release();
    if (args->device_complete_events != nullptr) args->device_complete_events[r] = events[r].release();
  }
}
