// Fuzzes the plugin's C API for host-buffer creation and execute-argument checking. One client
// (two CPU devices) and four small programs are made once; each input then chooses element
// types, dims, byte strides, layouts, struct sizes, argument counts and buffer lists, and calls
// PJRT_Client_BufferFromHostBuffer and PJRT_LoadedExecutable_Execute. Every call must return
// success or a PJRT_Error; ASan/UBSan turn anything else into a crash.
//
// The harness keeps the caller's side of the contract: every pointer it passes is valid for
// what the call may read (host data covers every element the byte strides reach, argument and
// output lists have the lengths the program needs), so any report is the plugin's fault.
#include <fuzzer/FuzzedDataProvider.h>
#include <xlaprune/pjrt_c_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_execute_setup.h"

using namespace xlaprune::fuzz;

namespace {

// Bytes per element of the types the harness makes data for; 1 for the rest (the plugin must
// refuse those before it reads any data).
size_t HostElementSize(int type) {
  switch (type) {
    case PJRT_Buffer_Type_PRED: case PJRT_Buffer_Type_S8: case PJRT_Buffer_Type_U8: return 1;
    case PJRT_Buffer_Type_S16: case PJRT_Buffer_Type_U16: case PJRT_Buffer_Type_F16: case PJRT_Buffer_Type_BF16: return 2;
    case PJRT_Buffer_Type_S32: case PJRT_Buffer_Type_U32: case PJRT_Buffer_Type_F32: return 4;
    case PJRT_Buffer_Type_S64: case PJRT_Buffer_Type_U64: case PJRT_Buffer_Type_F64: case PJRT_Buffer_Type_C64: return 8;
    case PJRT_Buffer_Type_C128: return 16;
    default: return 1;
  }
}

constexpr int64_t kMaxHostBytes = int64_t{1} << 16;

// A caller struct of a fuzzed struct_size: usually exact, sometimes short, sometimes longer
// (zero tail). The block is exactly that long, so reads past struct_size are ASan reports.
template <typename T>
struct SizedArgs {
  std::unique_ptr<unsigned char[]> block;
  T* get() { return reinterpret_cast<T*>(block.get()); }
};

template <typename T>
SizedArgs<T> Sized(FuzzedDataProvider& in, const T& full, size_t exact) {
  size_t size = exact;
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: size = in.ConsumeIntegralInRange<size_t>(sizeof(size_t), exact); break;
    case 1: size = exact + in.ConsumeIntegralInRange<size_t>(1, 64); break;
    default: break;
  }
  size_t alloc = std::max(size, sizeof(T));  // the harness fills a whole T, the plugin may read `size`
  SizedArgs<T> sized{std::make_unique<unsigned char[]>(alloc)};
  std::memset(sized.block.get(), 0, alloc);
  std::memcpy(sized.block.get(), &full, sizeof(T));
  sized.get()->struct_size = size;
  return sized;
}

// One PJRT_Client_BufferFromHostBuffer call; returns the buffer or null.
PJRT_Buffer* FuzzHostBuffer(FuzzedDataProvider& in) {
  int type;
  std::vector<int64_t> dims;
  const bool exact = in.ConsumeBool();
  if (exact) {
    // A buffer some program takes, so executions get past the argument checks.
    const Program& p = programs[in.ConsumeIntegralInRange<size_t>(0, programs.size() - 1)];
    if (p.parameters.empty()) return nullptr;
    const Parameter& param = p.parameters[in.ConsumeIntegralInRange<size_t>(0, p.parameters.size() - 1)];
    type = param.type;
    dims = param.dims;
  } else {
    type = in.ConsumeBool() ? in.ConsumeIntegralInRange(0, 40) : in.ConsumeIntegral<int>();
    size_t rank = in.ConsumeIntegralInRange<size_t>(0, 5);
    for (size_t i = 0; i < rank; i++) {
      dims.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 6) : in.ConsumeIntegral<int64_t>());
    }
  }
  // Now and then a rank below the dims given (the plugin must read only num_dims of them).
  if (in.ConsumeIntegralInRange(0, 15) == 0) dims.resize(in.ConsumeIntegralInRange<size_t>(0, dims.size()));
  const size_t rank = dims.size();
  const int64_t element = static_cast<int64_t>(HostElementSize(type));

  // Byte strides: none, dense, padded/permuted, zero or negative; fuzzed raw for rank > 0.
  std::vector<int64_t> strides;
  const int stride_mode = in.ConsumeIntegralInRange(0, 4);
  if (stride_mode != 0) {
    strides.resize(rank);
    int64_t step = element;
    std::vector<size_t> order(rank);
    for (size_t i = 0; i < rank; i++) order[i] = rank - 1 - i;
    if (stride_mode == 2 && rank > 1) std::swap(order[0], order[in.ConsumeIntegralInRange<size_t>(1, rank - 1)]);
    for (size_t i : order) {
      int64_t d = dims[i] > 0 && dims[i] < 64 ? dims[i] : 1;
      strides[i] = stride_mode == 3 ? 0 : step;
      step *= d + (stride_mode == 2 ? in.ConsumeIntegralInRange<int64_t>(0, 2) : 0);
    }
    if (stride_mode == 4) {
      for (auto& s : strides) s = in.ConsumeIntegralInRange<int64_t>(-64, 64);
    }
  }
  // Usually one stride per dimension; a wrong count must be refused before any data is read.
  size_t num_strides = strides.size();
  if (!strides.empty() && in.ConsumeIntegralInRange(0, 15) == 0) num_strides = in.ConsumeIntegralInRange<size_t>(0, rank);
  const bool strided = num_strides == rank && !strides.empty();
  // Host data covering exactly every byte the strides (or the dense layout) can reach.
  bool small = true;
  int64_t count = 1, lowest = 0, highest = 0;
  for (size_t i = 0; i < rank; i++) {
    if (dims[i] < 0 || dims[i] > kMaxHostBytes) small = false;
    else count *= dims[i];
    if (count > kMaxHostBytes) small = false;
    if (!small) break;
    if (strided && dims[i] > 0) {
      int64_t reach = (dims[i] - 1) * strides[i];
      if (reach < 0) lowest += reach;
      else highest += reach;
    }
  }
  std::vector<unsigned char> host;
  const void* data = nullptr;
  int64_t extent = -1;
  if (small && count * element <= kMaxHostBytes) {
    extent = !strided ? count * element : (count == 0 ? 0 : highest - lowest + element);
    if (extent > 4 * kMaxHostBytes) extent = -1;  // padding strides can reach far: no data then
  }
  if (small && count * element <= kMaxHostBytes && extent >= 0) {
    host = in.ConsumeBytes<unsigned char>(static_cast<size_t>(extent));
    host.resize(static_cast<size_t>(extent));
    host.shrink_to_fit();
    data = host.empty() ? nullptr : host.data() - lowest;
    if (host.empty() && in.ConsumeBool()) data = &host;  // a non-null pointer with nothing behind it
  }

  PJRT_Buffer_MemoryLayout layout{};
  std::vector<int64_t> layout_values;
  const int layout_mode = in.ConsumeIntegralInRange(0, 3);
  if (layout_mode != 0) {
    layout.struct_size = in.ConsumeBool() ? PJRT_Buffer_MemoryLayout_STRUCT_SIZE : in.ConsumeIntegralInRange<size_t>(0, 64);
    layout.type = layout_mode == 3 ? static_cast<PJRT_Buffer_MemoryLayout_Type>(in.ConsumeIntegral<int>())
                                   : layout_mode == 1 ? PJRT_Buffer_MemoryLayout_Type_Tiled : PJRT_Buffer_MemoryLayout_Type_Strides;
    size_t n = in.ConsumeBool() ? rank : in.ConsumeIntegralInRange<size_t>(0, 6);
    for (size_t i = 0; i < n; i++) {
      layout_values.push_back(in.ConsumeBool() ? static_cast<int64_t>(n - 1 - i) : in.ConsumeIntegralInRange<int64_t>(-2, 16));
    }
    if (layout_mode == 1) {
      layout.tiled.struct_size = PJRT_Buffer_MemoryLayout_Tiled_STRUCT_SIZE;
      layout.tiled.minor_to_major = layout_values.empty() ? nullptr : layout_values.data();
      layout.tiled.minor_to_major_size = layout_values.size();
    } else {
      layout.strides.struct_size = PJRT_Buffer_MemoryLayout_Strides_STRUCT_SIZE;
      layout.strides.byte_strides = layout_values.empty() ? nullptr : layout_values.data();
      layout.strides.num_byte_strides = layout_values.size();
    }
  }

  PJRT_Client_BufferFromHostBuffer_Args full{};
  full.client = client;
  full.data = data;
  full.type = static_cast<PJRT_Buffer_Type>(type);
  full.dims = dims.empty() ? nullptr : dims.data();
  full.num_dims = rank;
  full.byte_strides = strides.empty() ? nullptr : strides.data();
  full.num_byte_strides = num_strides;
  full.host_buffer_semantics = static_cast<PJRT_HostBufferSemantics>(in.ConsumeIntegralInRange(-1, 4));
  const int target = in.ConsumeIntegralInRange(0, 3);
  full.device = target < 2 ? devices[static_cast<size_t>(target)] : nullptr;
  full.memory = target == 3 || in.ConsumeIntegralInRange(0, 7) == 0 ? memories[in.ConsumeIntegralInRange<size_t>(0, memories.size() - 1)] : nullptr;
  full.device_layout = layout_mode == 0 ? nullptr : &layout;
  auto args = Sized(in, full, PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE);
  if (!Ok(api->PJRT_Client_BufferFromHostBuffer(args.get()))) return nullptr;
  DestroyEvent(args.get()->done_with_host_buffer);
  return args.get()->buffer;
}

void ReadBack(PJRT_Buffer* buffer) {
  PJRT_Buffer_ToHostBuffer_Args query{};
  query.struct_size = PJRT_Buffer_ToHostBuffer_Args_STRUCT_SIZE;
  query.src = buffer;
  if (!Ok(api->PJRT_Buffer_ToHostBuffer(&query))) return;
  std::vector<unsigned char> host(query.dst_size);
  PJRT_Buffer_ToHostBuffer_Args copy{};
  copy.struct_size = PJRT_Buffer_ToHostBuffer_Args_STRUCT_SIZE;
  copy.src = buffer;
  copy.dst = host.empty() ? nullptr : host.data();
  copy.dst_size = host.size();
  if (Ok(api->PJRT_Buffer_ToHostBuffer(&copy))) DestroyEvent(copy.event);
}

// One PJRT_LoadedExecutable_Execute call over buffers from `pool`.
void FuzzExecute(FuzzedDataProvider& in, const std::vector<PJRT_Buffer*>& pool) {
  const Program& program = programs[in.ConsumeIntegralInRange<size_t>(0, programs.size() - 1)];
  const size_t num_devices = in.ConsumeIntegralInRange<size_t>(0, 3);
  const size_t num_args = in.ConsumeBool() ? program.parameters.size() : in.ConsumeIntegralInRange<size_t>(0, 4);

  std::vector<std::vector<PJRT_Buffer*>> lists(num_devices);
  std::vector<PJRT_Buffer* const*> list_pointers(num_devices);
  for (size_t r = 0; r < num_devices; r++) {
    if (in.ConsumeIntegralInRange(0, 15) == 0) continue;  // a null list
    for (size_t i = 0; i < num_args; i++) {
      size_t pick = in.ConsumeIntegralInRange<size_t>(0, pool.size());
      lists[r].push_back(pick < pool.size() ? pool[pick] : nullptr);
    }
    list_pointers[r] = lists[r].empty() ? reinterpret_cast<PJRT_Buffer* const*>(&lists[r]) : lists[r].data();
  }
  std::vector<std::vector<PJRT_Buffer*>> outputs(num_devices, std::vector<PJRT_Buffer*>(program.num_outputs, nullptr));
  std::vector<PJRT_Buffer**> output_pointers(num_devices);
  for (size_t r = 0; r < num_devices; r++) {
    if (in.ConsumeIntegralInRange(0, 15) != 0) output_pointers[r] = outputs[r].data();
  }
  std::vector<PJRT_Event*> events(num_devices, nullptr);
  std::vector<int64_t> non_donatable;
  for (size_t k = in.ConsumeIntegralInRange<size_t>(0, 3); k > 0; k--) {
    non_donatable.push_back(in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 2) : in.ConsumeIntegral<int64_t>());
  }

  PJRT_ExecuteOptions options_full{};
  options_full.non_donatable_input_indices = non_donatable.empty() ? nullptr : non_donatable.data();
  options_full.num_non_donatable_input_indices = non_donatable.size();
  auto options = Sized(in, options_full, PJRT_ExecuteOptions_STRUCT_SIZE);

  PJRT_LoadedExecutable_Execute_Args full{};
  full.executable = program.executable;
  full.options = in.ConsumeIntegralInRange(0, 31) == 0 ? nullptr : options.get();
  full.argument_lists = in.ConsumeIntegralInRange(0, 31) == 0 || num_devices == 0 ? nullptr : list_pointers.data();
  full.num_devices = num_devices;
  full.num_args = num_args;
  full.output_lists = in.ConsumeIntegralInRange(0, 31) == 0 || num_devices == 0 ? nullptr : output_pointers.data();
  full.device_complete_events = in.ConsumeBool() || num_devices == 0 ? nullptr : events.data();
  const int target = in.ConsumeIntegralInRange(0, 4);
  full.execute_device = target < 2 ? devices[static_cast<size_t>(target)] : nullptr;
  auto args = Sized(in, full, PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE);
  if (!Ok(api->PJRT_LoadedExecutable_Execute(args.get()))) return;
  for (size_t r = 0; r < num_devices; r++) {
    for (PJRT_Buffer* output : outputs[r]) {
      if (output == nullptr) Die("Execute succeeded but left an output unset");
      ReadBack(output);
      DestroyBuffer(output);
    }
    DestroyEvent(events[r]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (api == nullptr) Setup();
  FuzzedDataProvider in(data, size);
  std::vector<PJRT_Buffer*> pool;
  for (size_t n = in.ConsumeIntegralInRange<size_t>(0, 4); n > 0; n--) {
    if (PJRT_Buffer* buffer = FuzzHostBuffer(in)) pool.push_back(buffer);
  }
  if (!pool.empty() && in.ConsumeIntegralInRange(0, 7) == 0) {
    PJRT_Buffer_Delete_Args del{};
    del.struct_size = PJRT_Buffer_Delete_Args_STRUCT_SIZE;
    del.buffer = pool[in.ConsumeIntegralInRange<size_t>(0, pool.size() - 1)];
    Ok(api->PJRT_Buffer_Delete(&del));
  }
  for (size_t n = in.ConsumeIntegralInRange<size_t>(1, 3); n > 0; n--) FuzzExecute(in, pool);
  for (PJRT_Buffer* buffer : pool) DestroyBuffer(buffer);
  return 0;
}
