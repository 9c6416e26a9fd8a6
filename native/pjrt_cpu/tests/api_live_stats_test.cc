// The live-stats extension: the plugin's own counts of clients, executables, buffers and
// device-memory blocks move by exactly what each call creates or destroys.
#include <xlaprune/xlaprune_live_stats.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "api_test_programs.h"
#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

XlaPrune_LiveStats Read() {
  XlaPrune_LiveStats stats{};
  stats.struct_size = XlaPrune_LiveStats_STRUCT_SIZE;
  for (const PJRT_Extension_Base* e = Api()->extension_start; e != nullptr; e = e->next) {
    if (XlaPrune_ExtensionType(e) == XLAPRUNE_EXTENSION_TYPE_LIVE_STATS) {
      reinterpret_cast<const XlaPrune_LiveStats_Extension*>(e)->read(&stats);
      return stats;
    }
  }
  ADD_FAILURE() << "no live-stats extension in the chain";
  return stats;
}

PJRT_LoadedExecutable* Compile(PJRT_Client* client, std::string module) {
  PJRT_LoadedExecutable* executable = nullptr;
  ErrorInfo info = TryCompileHlo(client, std::move(module), "", executable);
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  return executable;
}

PJRT_Buffer* ExecuteOnce(PJRT_LoadedExecutable* executable, PJRT_Buffer* x, PJRT_Buffer* y) {
  PJRT_Buffer* arguments[] = {x, y};
  PJRT_Buffer* const* argument_lists[] = {arguments};
  PJRT_Buffer* outputs[1] = {nullptr};
  PJRT_Buffer** output_lists[] = {outputs};
  // The module lets its output alias parameter 0; keep x, so that the output is a block of its own.
  const int64_t keep[] = {0};
  auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
  options.non_donatable_input_indices = keep;
  options.num_non_donatable_input_indices = 1;
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
  args.executable = executable;
  args.options = &options;
  args.argument_lists = argument_lists;
  args.num_devices = 1;
  args.num_args = 2;
  args.output_lists = output_lists;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_LoadedExecutable_Execute(&args));
  return outputs[0];
}

TEST(ApiLiveStats, CountsMoveByExactlyWhatEachCallCreatesOrDestroys) {
  ASSERT_NE(Api(), nullptr);
  constexpr int64_t kElements = 64 * 1024;  // f32: 256 KiB, large enough for the block cache
  constexpr int64_t kBytes = kElements * 4;
  const XlaPrune_LiveStats start = Read();
  EXPECT_EQ(start.struct_size, static_cast<size_t>(XlaPrune_LiveStats_STRUCT_SIZE));

  PJRT_Client* client = CreateClient(1);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(Read().clients, start.clients + 1);
  PJRT_Device* device = Devices(client)[0];
  std::vector<float> ones(kElements, 1.0f);
  PJRT_Buffer* x = UploadF32(client, device, ones, {kElements});
  PJRT_Buffer* y = UploadF32(client, device, ones, {kElements});
  XlaPrune_LiveStats now = Read();
  EXPECT_EQ(now.buffers, start.buffers + 2);
  EXPECT_EQ(now.device_blocks, start.device_blocks + 2);
  EXPECT_EQ(now.device_bytes, start.device_bytes + 2 * kBytes);

  PJRT_LoadedExecutable* executable = Compile(client, AddModule(kElements));
  ASSERT_NE(executable, nullptr);
  EXPECT_EQ(Read().executables, start.executables + 1);
  PJRT_Buffer* sum = ExecuteOnce(executable, x, y);
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(Download<float>(sum)[kElements - 1], 2.0f);
  EXPECT_EQ(Download<float>(x)[kElements - 1], 1.0f);
  EXPECT_EQ(Download<float>(y)[kElements - 1], 1.0f);
  now = Read();
  EXPECT_EQ(now.buffers, start.buffers + 3);
  EXPECT_EQ(now.device_blocks, start.device_blocks + 3);
  EXPECT_EQ(now.device_bytes, start.device_bytes + 3 * kBytes);

  // A freed block of 256 KiB is kept for reuse: it leaves the live count for the cache.
  const int64_t cached_before = now.cached_bytes;
  DestroyBuffer(sum);
  now = Read();
  EXPECT_EQ(now.buffers, start.buffers + 2);
  EXPECT_EQ(now.device_blocks, start.device_blocks + 2);
  EXPECT_EQ(now.device_bytes, start.device_bytes + 2 * kBytes);
  EXPECT_EQ(now.cached_bytes, cached_before + kBytes);

  // The client's state lives on while a buffer holds it; the executable goes with its handle.
  DestroyLoaded(executable);
  DestroyClient(client);
  now = Read();
  EXPECT_EQ(now.executables, start.executables);
  EXPECT_EQ(now.clients, start.clients + 1);
  DestroyBuffer(x);
  DestroyBuffer(y);
  now = Read();
  EXPECT_EQ(now.clients, start.clients);
  EXPECT_EQ(now.buffers, start.buffers);
  EXPECT_EQ(now.device_blocks, start.device_blocks);
  EXPECT_EQ(now.device_bytes, start.device_bytes);
  EXPECT_EQ(now.cached_bytes, cached_before + 3 * kBytes);
}

TEST(ApiLiveStats, AShorterCallerStructGetsOnlyTheFieldsItKnows) {
  ASSERT_NE(Api(), nullptr);
  XlaPrune_LiveStats stats;
  std::memset(&stats, 0x5A, sizeof stats);
  stats.struct_size = offsetof(XlaPrune_LiveStats, executables);  // knows only `clients`
  for (const PJRT_Extension_Base* e = Api()->extension_start; e != nullptr; e = e->next) {
    if (XlaPrune_ExtensionType(e) == XLAPRUNE_EXTENSION_TYPE_LIVE_STATS) {
      reinterpret_cast<const XlaPrune_LiveStats_Extension*>(e)->read(&stats);
    }
  }
  EXPECT_EQ(stats.clients, Read().clients);
  int64_t untouched;
  std::memset(&untouched, 0x5A, sizeof untouched);
  EXPECT_EQ(stats.executables, untouched);
  EXPECT_EQ(stats.cached_bytes, untouched);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
