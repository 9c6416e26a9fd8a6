// PJRT_Executable_OptimizedProgram's module: the compiled HloModuleProto with the layout the
// engine stores each value in written onto every array shape. The engine keeps every buffer
// dense and row-major (engine.h, ArrayShape), so that is the layout of every instruction,
// parameter and result; tuples carry no layout, their elements do.
#include <string>

#include "api_internal.h"
#include "xla/service/hlo.pb.h"

namespace xlaprune::pjrt {
namespace {

void SetEngineLayout(xla::ShapeProto& shape) {
  switch (shape.element_type()) {
    case xla::TUPLE:
      shape.clear_layout();
      for (xla::ShapeProto& element : *shape.mutable_tuple_shapes()) SetEngineLayout(element);
      return;
    case xla::TOKEN:
    case xla::OPAQUE_TYPE:
      shape.clear_layout();
      return;
    default:
      break;
  }
  xla::LayoutProto* layout = shape.mutable_layout();
  layout->Clear();
  for (int d = shape.dimensions_size() - 1; d >= 0; --d) layout->add_minor_to_major(d);
}

void SetEngineLayouts(xla::ProgramShapeProto& program_shape) {
  for (xla::ShapeProto& parameter : *program_shape.mutable_parameters()) SetEngineLayout(parameter);
  if (program_shape.has_result()) SetEngineLayout(*program_shape.mutable_result());
}

}  // namespace

std::string OptimizedModuleProto(const std::string& module_proto) {
  xla::HloModuleProto module;
  if (!module.ParseFromString(module_proto)) {
    Fail(PJRT_Error_Code_INTERNAL, "the compiled module no longer parses as an HloModuleProto");
  }
  if (module.has_host_program_shape()) SetEngineLayouts(*module.mutable_host_program_shape());
  for (xla::HloComputationProto& computation : *module.mutable_computations()) {
    if (computation.has_program_shape()) SetEngineLayouts(*computation.mutable_program_shape());
    for (xla::HloInstructionProto& instruction : *computation.mutable_instructions()) {
      if (instruction.has_shape()) SetEngineLayout(*instruction.mutable_shape());
    }
  }
  std::string out;
  if (!module.SerializeToString(&out)) Fail(PJRT_Error_Code_INTERNAL, "the optimized module does not serialize");
  return out;
}

}  // namespace xlaprune::pjrt
