// Convolutions on oneDNN primitives, chosen and created at compile time.
//
// An HLO convolution is one formula, but autodiff emits it in three roles, and oneDNN has a
// tuned primitive for each. We recognise the role from the window and dimension numbers:
//   forward          plain window                          -> convolution_forward
//   input gradient   every spatial window dim reversed     -> convolution_backward_data
//   kernel gradient  plain window, kernel larger than out  -> convolution_backward_weights
// and describe each operand to oneDNN by its dimensions and strides, so any dimension order
// maps without a copy. oneDNN picks its preferred (blocked) layouts; reorders in and out are
// planned with the primitive. Forms outside these (groups, lhs dilation without reversal,
// negative padding) return no plan and run on the generic kernels in run.cc.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "internal.h"
#include "kernels.h"

namespace xlaprune::cpu {

using dnnl::memory;

struct ConvPrimitive {
  // Operand roles: the HLO lhs, the HLO rhs and the HLO output, each as oneDNN sees it.
  struct Operand {
    memory::desc user;    // the dense row-major HLO buffer, dims in oneDNN order
    memory::desc inside;  // what the primitive wants
    bool reorder = false;
    dnnl::reorder to_inside, to_user;
    int arg = 0;          // DNNL_ARG_* of this operand
  };
  Operand lhs, rhs, out;
  dnnl::primitive primitive;
  memory::desc scratchpad;
  const char* role = "";
};

namespace {

const dnnl::engine& CpuEngine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// A dense row-major HLO array seen through `order` (HLO dimension numbers in oneDNN order).
memory::desc Describe(const ArrayShape& shape, const std::vector<int64_t>& order) {
  const std::vector<int64_t> strides = kernels::RowMajorStrides(shape.dims);
  memory::dims d, s;
  for (int64_t h : order) {
    d.push_back(shape.dims[h]);
    s.push_back(strides[h]);
  }
  return memory::desc(d, memory::data_type::f32, s);
}

memory::desc Any(const memory::desc& user) { return memory::desc(user.dims(), memory::data_type::f32, memory::format_tag::any); }

std::vector<int64_t> Order(int64_t a, int64_t b, const std::vector<int64_t>& spatial) {
  std::vector<int64_t> order{a, b};
  order.insert(order.end(), spatial.begin(), spatial.end());
  return order;
}

void PlanOperand(ConvPrimitive::Operand& o, const memory::desc& inside, bool is_output) {
  o.inside = inside;
  o.reorder = inside != o.user;
  if (!o.reorder) return;
  const auto& e = CpuEngine();
  if (is_output) o.to_user = dnnl::reorder(dnnl::reorder::primitive_desc(e, inside, e, o.user));
  else o.to_inside = dnnl::reorder(dnnl::reorder::primitive_desc(e, o.user, e, inside));
}

struct Geometry {
  memory::dims strides, dilates, pad_l, pad_r;
};

dnnl::primitive_attr Attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

std::shared_ptr<ConvPrimitive> Forward(const Instr& in, const ArrayShape& l, const ArrayShape& k, const ArrayShape& o) {
  const ConvDims& c = in.conv;
  Geometry g;
  for (const WindowDim& w : in.window) {
    if (w.reversal || w.base_dilation != 1 || w.pad_lo < 0 || w.pad_hi < 0) return nullptr;
    g.strides.push_back(w.stride);
    g.dilates.push_back(w.window_dilation - 1);
    g.pad_l.push_back(w.pad_lo);
    g.pad_r.push_back(w.pad_hi);
  }
  auto p = std::make_shared<ConvPrimitive>();
  p->role = "forward";
  p->lhs.user = Describe(l, Order(c.in_batch, c.in_feature, c.in_spatial));
  p->rhs.user = Describe(k, Order(c.k_out, c.k_in, c.k_spatial));
  p->out.user = Describe(o, Order(c.out_batch, c.out_feature, c.out_spatial));
  p->lhs.arg = DNNL_ARG_SRC;
  p->rhs.arg = DNNL_ARG_WEIGHTS;
  p->out.arg = DNNL_ARG_DST;
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, Any(p->lhs.user), Any(p->rhs.user),
                                    Any(p->out.user), g.strides, g.dilates, g.pad_l, g.pad_r);
  dnnl::convolution_forward::primitive_desc pd(d, Attr(), CpuEngine());
  PlanOperand(p->lhs, pd.src_desc(), false);
  PlanOperand(p->rhs, pd.weights_desc(), false);
  PlanOperand(p->out, pd.dst_desc(), true);
  p->scratchpad = pd.scratchpad_desc();
  p->primitive = dnnl::convolution_forward(pd);
  return p;
}

// The HLO kernel gradient: out[i, o, a] = sum over n, j of lhs[n, i, a*stride + j*dil - pad] *
// rhs[n, o, j]. That is oneDNN's weight gradient of a forward convolution whose stride is the
// HLO window dilation and whose dilation is the HLO window stride.
std::shared_ptr<ConvPrimitive> KernelGradient(const Instr& in, const ArrayShape& l, const ArrayShape& k, const ArrayShape& o) {
  const ConvDims& c = in.conv;
  Geometry g;
  for (size_t s = 0; s < in.window.size(); s++) {
    const WindowDim& w = in.window[s];
    if (w.reversal || w.base_dilation != 1 || w.pad_lo < 0) return nullptr;
    int64_t x = l.dims[c.in_spatial[s]], dy = k.dims[c.k_spatial[s]], kw = o.dims[c.out_spatial[s]];
    int64_t pad_r = (dy - 1) * w.window_dilation + (kw - 1) * w.stride + 1 - x - w.pad_lo;
    if (pad_r < 0) return nullptr;
    g.strides.push_back(w.window_dilation);
    g.dilates.push_back(w.stride - 1);
    g.pad_l.push_back(w.pad_lo);
    g.pad_r.push_back(pad_r);
  }
  auto p = std::make_shared<ConvPrimitive>();
  p->role = "kernel gradient";
  p->lhs.user = Describe(l, Order(c.in_feature, c.in_batch, c.in_spatial));    // x: N, C
  p->rhs.user = Describe(k, Order(c.k_in, c.k_out, c.k_spatial));              // dy: N, O
  p->out.user = Describe(o, Order(c.out_feature, c.out_batch, c.out_spatial));  // dW: O, I
  p->lhs.arg = DNNL_ARG_SRC;
  p->rhs.arg = DNNL_ARG_DIFF_DST;
  p->out.arg = DNNL_ARG_DIFF_WEIGHTS;
  const auto& e = CpuEngine();
  dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, Any(p->lhs.user), Any(p->out.user),
                                     Any(p->rhs.user), g.strides, g.dilates, g.pad_l, g.pad_r);
  dnnl::convolution_forward::primitive_desc hint(fd, e);
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, Any(p->lhs.user), Any(p->out.user), Any(p->rhs.user), g.strides,
                                             g.dilates, g.pad_l, g.pad_r);
  dnnl::convolution_backward_weights::primitive_desc pd(d, Attr(), e, hint);
  PlanOperand(p->lhs, pd.src_desc(), false);
  PlanOperand(p->rhs, pd.diff_dst_desc(), false);
  PlanOperand(p->out, pd.diff_weights_desc(), true);
  p->scratchpad = pd.scratchpad_desc();
  p->primitive = dnnl::convolution_backward_weights(pd);
  return p;
}

// The HLO input gradient: lhs is dy dilated by the forward stride, the kernel is reversed and
// its feature dimensions name the forward output (k_in) and input (k_out).
std::shared_ptr<ConvPrimitive> InputGradient(const Instr& in, const ArrayShape& l, const ArrayShape& k, const ArrayShape& o) {
  const ConvDims& c = in.conv;
  Geometry g;
  for (size_t s = 0; s < in.window.size(); s++) {
    const WindowDim& w = in.window[s];
    if (!w.reversal || w.stride != 1) return nullptr;
    int64_t dy = l.dims[c.in_spatial[s]], x = o.dims[c.out_spatial[s]];
    int64_t extent = (w.size - 1) * w.window_dilation;
    int64_t pad_l = extent - w.pad_lo;
    int64_t pad_r = (dy - 1) * w.base_dilation + extent + 1 - x - pad_l;
    if (pad_l < 0 || pad_r < 0) return nullptr;
    g.strides.push_back(w.base_dilation);
    g.dilates.push_back(w.window_dilation - 1);
    g.pad_l.push_back(pad_l);
    g.pad_r.push_back(pad_r);
  }
  auto p = std::make_shared<ConvPrimitive>();
  p->role = "input gradient";
  p->lhs.user = Describe(l, Order(c.in_batch, c.in_feature, c.in_spatial));    // dy: N, O
  p->rhs.user = Describe(k, Order(c.k_in, c.k_out, c.k_spatial));              // W: O, I
  p->out.user = Describe(o, Order(c.out_batch, c.out_feature, c.out_spatial));  // dx: N, I
  p->lhs.arg = DNNL_ARG_DIFF_DST;
  p->rhs.arg = DNNL_ARG_WEIGHTS;
  p->out.arg = DNNL_ARG_DIFF_SRC;
  const auto& e = CpuEngine();
  dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, Any(p->out.user), Any(p->rhs.user),
                                     Any(p->lhs.user), g.strides, g.dilates, g.pad_l, g.pad_r);
  dnnl::convolution_forward::primitive_desc hint(fd, e);
  dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, Any(p->out.user), Any(p->rhs.user), Any(p->lhs.user), g.strides,
                                          g.dilates, g.pad_l, g.pad_r);
  dnnl::convolution_backward_data::primitive_desc pd(d, Attr(), e, hint);
  PlanOperand(p->lhs, pd.diff_dst_desc(), false);
  PlanOperand(p->rhs, pd.weights_desc(), false);
  PlanOperand(p->out, pd.diff_src_desc(), true);
  p->scratchpad = pd.scratchpad_desc();
  p->primitive = dnnl::convolution_backward_data(pd);
  return p;
}

int64_t Product(const ArrayShape& s, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= s.dims[d];
  return n;
}

}  // namespace

std::shared_ptr<const ConvPrimitive> PlanConvolution(const Instr& in, const ArrayShape& lhs, const ArrayShape& rhs) {
  static const bool disabled = std::getenv("XLAPRUNE_CPU_GENERIC_CONV") != nullptr;
  const ArrayShape& out = in.shape.array;
  if (disabled || in.shape.tuple || out.type != ElementType::kF32 || in.feature_groups != 1 || in.batch_groups != 1) return nullptr;
  size_t sp = in.window.size();
  if (sp < 1 || sp > 3 || out.ElementCount() == 0 || lhs.ElementCount() == 0 || rhs.ElementCount() == 0) return nullptr;
  bool reversed = in.window[0].reversal;
  // A kernel spatially larger than the output is a weight gradient in disguise.
  bool kernel_gradient = !reversed && Product(rhs, in.conv.k_spatial) > Product(out, in.conv.out_spatial);
  try {
    if (reversed) return InputGradient(in, lhs, rhs, out);
    if (kernel_gradient) {
      auto p = KernelGradient(in, lhs, rhs, out);
      if (p) return p;
    }
    return Forward(in, lhs, rhs, out);
  } catch (const dnnl::error&) {
    return nullptr;  // oneDNN has no implementation for this form: the generic kernel runs it
  }
}

const char* ConvolutionRole(const ConvPrimitive& p) noexcept { return p.role; }

void RunConvolution(const ConvPrimitive& p, const void* lhs, const void* rhs, void* out) {
  const auto& e = CpuEngine();
  dnnl::stream stream(e);
  // Reordered operands and the scratchpad live only for this call.
  std::vector<std::unique_ptr<ScratchBlock>> temps;
  auto scratch = [&](const memory::desc& md) {
    temps.push_back(std::make_unique<ScratchBlock>(md.get_size()));
    return memory(md, e, temps.back()->data());
  };
  std::unordered_map<int, memory> args;
  auto input = [&](const ConvPrimitive::Operand& o, const void* data) {
    memory user(o.user, e, const_cast<void*>(data));
    if (!o.reorder) {
      args.emplace(o.arg, user);
      return;
    }
    memory inside = scratch(o.inside);
    o.to_inside.execute(stream, user, inside);
    args.emplace(o.arg, inside);
  };
  input(p.lhs, lhs);
  input(p.rhs, rhs);
  memory out_user(p.out.user, e, out);
  memory out_inside = p.out.reorder ? scratch(p.out.inside) : out_user;
  args.emplace(p.out.arg, out_inside);
  if (p.scratchpad.get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, scratch(p.scratchpad));
  p.primitive.execute(stream, args);
  if (p.out.reorder) p.out.to_user.execute(stream, out_inside, out_user);
  stream.wait();
}

}  // namespace xlaprune::cpu
