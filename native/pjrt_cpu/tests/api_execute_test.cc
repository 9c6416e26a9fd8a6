// Execute through the C API with real programs (see api_test_programs.h): results, donation,
// argument checks, deleted executables, execute options, replicas and concurrent use.
#include <atomic>
#include <thread>

#include "api_execute_fixture.h"
#include "api_test_programs.h"

namespace xlaprune::pjrt::testing {
namespace {

TEST_F(Execute, AddRunsAndDonatesTheAliasedInput) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(3), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2, 3});
  PJRT_Buffer* y = F32({10, 20, 30});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, y}, outputs);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_EQ(Download<float>(outputs[0]), (std::vector<float>{11, 22, 33}));
  EXPECT_TRUE(IsDeleted(x));  // donated to the output it aliases
  EXPECT_FALSE(IsDeleted(y));
  auto to_host = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  to_host.src = x;
  info = Take(api()->PJRT_Buffer_ToHostBuffer(&to_host));
  EXPECT_EQ(info.message, "buffer has been donated to an execution");
  for (PJRT_Buffer* b : {x, y, outputs[0]}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, NonDonatableInputsStayAlive) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(2), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2});
  PJRT_Buffer* y = F32({3, 4});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, y}, outputs, {0});
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_FALSE(IsDeleted(x));
  EXPECT_EQ(Download<float>(x), (std::vector<float>{1, 2}));
  EXPECT_EQ(Download<float>(outputs[0]), (std::vector<float>{4, 6}));
  DestroyBuffer(outputs[0]);
  info = Run(loaded, {x, y}, outputs, {5});
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "non_donatable_input_indices contains 5 but the program takes 2 arguments");
  for (PJRT_Buffer* b : {x, y}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, WrongArgumentsAreRejectedWithClearMessages) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(3), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2, 3});
  PJRT_Buffer* four = F32({1, 2, 3, 4});
  int32_t ints[3] = {1, 2, 3};
  PJRT_Buffer* s32 = Upload(client_, devices_[0], PJRT_Buffer_Type_S32, ints, {3});
  PJRT_Buffer* elsewhere = F32({1, 2, 3}, 1);
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x}, outputs);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the program takes 2 arguments, got 1");
  info = Run(loaded, {x, four}, outputs);
  EXPECT_EQ(info.message, "argument 1 has shape f32[4], the program expects f32[3]");
  info = Run(loaded, {s32, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 has shape s32[3], the program expects f32[3]");
  info = Run(loaded, {x, elsewhere}, outputs);
  EXPECT_EQ(info.message, "argument 1 is on device cpu:1 but the program runs on cpu:0");
  info = Run(loaded, {x, nullptr}, outputs);
  EXPECT_EQ(info.message, "argument 1 is null");
  info = Run(loaded, {x, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 is donated but the same buffer is also passed as argument 1");
  EXPECT_FALSE(IsDeleted(x));  // nothing is donated when the call is rejected
  auto del = XLAPRUNE_ARGS(PJRT_Buffer_Delete_Args);
  del.buffer = four;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Delete(&del));
  info = Run(loaded, {four, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 has shape f32[4], the program expects f32[3]");
  PJRT_Buffer* gone = F32({1, 2, 3});
  del.buffer = gone;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Delete(&del));
  info = Run(loaded, {x, gone}, outputs);
  EXPECT_EQ(info.message, "argument 1 has been deleted");
  for (PJRT_Buffer* b : {x, four, s32, elsewhere, gone}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, DeletedExecutableRefusesToRun) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(1), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Executable* view = View(loaded);  // keeps answering after the delete
  auto del = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Delete_Args);
  del.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_Delete(&del));
  auto is_deleted = XLAPRUNE_ARGS(PJRT_LoadedExecutable_IsDeleted_Args);
  is_deleted.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_IsDeleted(&is_deleted));
  EXPECT_TRUE(is_deleted.is_deleted);
  PJRT_Buffer* x = F32({1});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, x}, outputs);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the loaded executable has been deleted");
  auto name = XLAPRUNE_ARGS(PJRT_Executable_NumOutputs_Args);
  name.executable = view;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumOutputs(&name));
  EXPECT_EQ(name.num_outputs, 1u);
  DestroyBuffer(x);
  DestroyExecutable(view);
  DestroyLoaded(loaded);
}

TEST_F(Execute, ShortExecuteOptionsAreRejected) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(1), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  auto options = MakeArgs<PJRT_ExecuteOptions>(48);
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
  args.executable = loaded;
  args.options = &options;
  ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "Unexpected PJRT_ExecuteOptions size: expected 72, got 48");
  DestroyLoaded(loaded);
}

TEST_F(Execute, TwoReplicasAllReduceAcrossDevices) {
  PJRT_LoadedExecutable* loaded = Compile(AllReduceSumModule(2), CompileOptionsBytes(2));
  ASSERT_NE(loaded, nullptr);
  auto devices = XLAPRUNE_ARGS(PJRT_LoadedExecutable_AddressableDevices_Args);
  devices.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_AddressableDevices(&devices));
  ASSERT_EQ(devices.num_addressable_devices, 2u);
  EXPECT_EQ(devices.addressable_devices[0], devices_[0]);
  EXPECT_EQ(devices.addressable_devices[1], devices_[1]);
  auto logical = XLAPRUNE_ARGS(PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args);
  logical.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_AddressableDeviceLogicalIds(&logical));
  ASSERT_EQ(logical.num_addressable_device_logical_ids, 2u);
  EXPECT_EQ(logical.addressable_device_logical_ids[1].replica, 1);
  EXPECT_EQ(logical.addressable_device_logical_ids[1].partition, 0);

  PJRT_Buffer* a = F32({1, 2}, 0);
  PJRT_Buffer* b = F32({10, 20}, 1);
  PJRT_Buffer* const list0[] = {a};
  PJRT_Buffer* const list1[] = {b};
  PJRT_Buffer* const* argument_lists[] = {list0, list1};
  PJRT_Buffer* out0[1] = {nullptr};
  PJRT_Buffer* out1[1] = {nullptr};
  PJRT_Buffer** output_lists[] = {out0, out1};
  PJRT_Event* events[2] = {nullptr, nullptr};
  auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
  args.executable = loaded;
  args.options = &options;
  args.argument_lists = argument_lists;
  args.num_devices = 2;
  args.num_args = 1;
  args.output_lists = output_lists;
  args.device_complete_events = events;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(Download<float>(out0[0]), (std::vector<float>{11, 22}));
  EXPECT_EQ(Download<float>(out1[0]), (std::vector<float>{11, 22}));
  auto where = XLAPRUNE_ARGS(PJRT_Buffer_Device_Args);
  where.buffer = out1[0];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Device(&where));
  EXPECT_EQ(where.device, devices_[1]);
  for (PJRT_Event* e : events) DestroyEvent(e);

  args.num_devices = 1;
  ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(info.message, "the program runs on 2 device(s) but num_devices is 1");
  for (PJRT_Buffer* buffer : {a, b, out0[0], out1[0]}) DestroyBuffer(buffer);
  DestroyLoaded(loaded);
}

TEST_F(Execute, EightThreadsCompileAndRunAtOnce) {
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t, &good] {
      PJRT_LoadedExecutable* loaded = Compile(AddModule(4), CompileOptionsBytes(1));
      if (loaded == nullptr) return;
      int runs = 0;
      for (int i = 0; i < 5; ++i) {
        const float base = static_cast<float>(t * 10 + i);
        PJRT_Buffer* x = F32({base, base, base, base});
        PJRT_Buffer* y = F32({1, 2, 3, 4});
        std::vector<PJRT_Buffer*> outputs;
        ErrorInfo info = Run(loaded, {x, y}, outputs);
        if (info.code == PJRT_Error_Code_OK &&
            Download<float>(outputs[0]) == std::vector<float>{base + 1, base + 2, base + 3, base + 4}) {
          ++runs;
        }
        for (PJRT_Buffer* b : {x, y}) DestroyBuffer(b);
        if (info.code == PJRT_Error_Code_OK) DestroyBuffer(outputs[0]);
      }
      DestroyLoaded(loaded);
      if (runs == 5) ++good;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 8);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
