// Convolutions on oneDNN primitives, chosen and created at compile time.
//
// An HLO convolution is one formula, but autodiff emits it in three roles, and oneDNN has a
// tuned primitive for each. We recognise the role from the window and dimension numbers:
//   forward          plain window                          -> convolution_forward
//   input gradient   every spatial window dim reversed     -> convolution_backward_data
//   kernel gradient  plain window, kernel larger than out  -> convolution_backward_weights
// and describe each operand to oneDNN by its dimensions and strides, so any dimension order
// maps without a copy. Channels-last activations are used as they are; otherwise oneDNN picks
// its preferred (blocked) layouts, and reorders in and out are planned with the primitive.
// Forms outside these (groups, lhs dilation without reversal, negative padding) return no plan
// and run on the generic kernels in contraction.cc.
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

// The layout to ask for an activation (source, destination or their gradients). A channels-last
// buffer (the NHWC programs TPUs want) is passed as it is: oneDNN's direct kernels run on it as
// fast as on their blocked layouts, and the reorders in and out, which cost as much as the
// convolution itself at narrow widths, disappear. Any other order is left to oneDNN.
memory::desc Activation(const memory::desc& user) {
  static const bool blocked = std::getenv("XLAPRUNE_CPU_BLOCKED_CONV") != nullptr;  // the A/B switch
  const memory::dims& d = user.dims();
  const memory::format_tag tag = d.size() == 3 ? memory::format_tag::nwc : d.size() == 4 ? memory::format_tag::nhwc : memory::format_tag::ndhwc;
  if (!blocked && user == memory::desc(d, memory::data_type::f32, tag)) return user;
  return Any(user);
}

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
  void Add(int64_t stride, int64_t dilate, int64_t left, int64_t right) {
    strides.push_back(stride);
    dilates.push_back(dilate);
    pad_l.push_back(left);
    pad_r.push_back(right);
  }
};

dnnl::primitive_attr Attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A plan whose HLO lhs, rhs and output are `lhs`, `rhs` and `out` bound to the given DNNL_ARG_*s.
std::shared_ptr<ConvPrimitive> NewPlan(const char* role, const memory::desc& lhs, int lhs_arg, const memory::desc& rhs, int rhs_arg,
                                       const memory::desc& out, int out_arg) {
  auto p = std::make_shared<ConvPrimitive>();
  p->role = role;
  p->lhs.user = lhs;
  p->rhs.user = rhs;
  p->out.user = out;
  p->lhs.arg = lhs_arg;
  p->rhs.arg = rhs_arg;
  p->out.arg = out_arg;
  return p;
}

// The forward convolution src * weights -> dst over `g`, layouts left to oneDNN. The gradients
// use it as their hint, with the roles of their operands in the forward pass.
dnnl::convolution_forward::desc ForwardDesc(const memory::desc& src, const memory::desc& weights, const memory::desc& dst, const Geometry& g) {
  return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, Activation(src), Any(weights),
                                         Activation(dst), g.strides, g.dilates, g.pad_l, g.pad_r);
}

// A gradient of the forward convolution src * weights -> dst over `g` (Backward is oneDNN's
// backward_data or backward_weights: the three descriptors are the forward pass's operands, in its
// order, whichever of them are gradients). oneDNN takes the forward primitive as a hint.
template <typename Backward>
typename Backward::primitive_desc GradientDesc(const memory::desc& src, const memory::desc& weights, const memory::desc& dst, const Geometry& g) {
  const auto& e = CpuEngine();
  dnnl::convolution_forward::primitive_desc hint(ForwardDesc(src, weights, dst, g), e);
  typename Backward::desc d(dnnl::algorithm::convolution_direct, Activation(src), Any(weights), Activation(dst), g.strides, g.dilates, g.pad_l,
                            g.pad_r);
  return typename Backward::primitive_desc(d, Attr(), e, hint);
}

// Keeps the primitive oneDNN chose and plans the reorders between each operand's HLO layout and
// the layout the primitive wants (`lhs`, `rhs`, `out`).
template <typename Primitive, typename PrimitiveDesc>
void Finish(ConvPrimitive& p, const PrimitiveDesc& pd, const memory::desc& lhs, const memory::desc& rhs, const memory::desc& out) {
  PlanOperand(p.lhs, lhs, false);
  PlanOperand(p.rhs, rhs, false);
  PlanOperand(p.out, out, true);
  p.scratchpad = pd.scratchpad_desc();
  p.primitive = Primitive(pd);
}

std::shared_ptr<ConvPrimitive> Forward(const Instr& in, const ArrayShape& l, const ArrayShape& k, const ArrayShape& o) {
  const ConvDims& c = in.conv;
  Geometry g;
  for (const WindowDim& w : in.window) {
    if (w.reversal || w.base_dilation != 1 || w.pad_lo < 0 || w.pad_hi < 0) return nullptr;
    g.Add(w.stride, w.window_dilation - 1, w.pad_lo, w.pad_hi);
  }
  auto p = NewPlan("forward", Describe(l, Order(c.in_batch, c.in_feature, c.in_spatial)), DNNL_ARG_SRC,
                   Describe(k, Order(c.k_out, c.k_in, c.k_spatial)), DNNL_ARG_WEIGHTS,
                   Describe(o, Order(c.out_batch, c.out_feature, c.out_spatial)), DNNL_ARG_DST);
  dnnl::convolution_forward::primitive_desc pd(ForwardDesc(p->lhs.user, p->rhs.user, p->out.user, g), Attr(), CpuEngine());
  Finish<dnnl::convolution_forward>(*p, pd, pd.src_desc(), pd.weights_desc(), pd.dst_desc());
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
    g.Add(w.window_dilation, w.stride - 1, w.pad_lo, pad_r);
  }
  auto p = NewPlan("kernel gradient", Describe(l, Order(c.in_feature, c.in_batch, c.in_spatial)), DNNL_ARG_SRC,  // x: N, C
                   Describe(k, Order(c.k_in, c.k_out, c.k_spatial)), DNNL_ARG_DIFF_DST,                          // dy: N, O
                   Describe(o, Order(c.out_feature, c.out_batch, c.out_spatial)), DNNL_ARG_DIFF_WEIGHTS);        // dW: O, I
  const auto pd = GradientDesc<dnnl::convolution_backward_weights>(p->lhs.user, p->out.user, p->rhs.user, g);
  Finish<dnnl::convolution_backward_weights>(*p, pd, pd.src_desc(), pd.diff_dst_desc(), pd.diff_weights_desc());
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
    g.Add(w.base_dilation, w.window_dilation - 1, pad_l, pad_r);
  }
  auto p = NewPlan("input gradient", Describe(l, Order(c.in_batch, c.in_feature, c.in_spatial)), DNNL_ARG_DIFF_DST,  // dy: N, O
                   Describe(k, Order(c.k_in, c.k_out, c.k_spatial)), DNNL_ARG_WEIGHTS,                                // W: O, I
                   Describe(o, Order(c.out_batch, c.out_feature, c.out_spatial)), DNNL_ARG_DIFF_SRC);                // dx: N, I
  const auto pd = GradientDesc<dnnl::convolution_backward_data>(p->out.user, p->rhs.user, p->lhs.user, g);
  Finish<dnnl::convolution_backward_data>(*p, pd, pd.diff_dst_desc(), pd.weights_desc(), pd.diff_src_desc());
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
