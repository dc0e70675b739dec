/// @file Defines ctnn::summary<Net>(): a table like torchinfo's summary(model), computed at
/// compile time. Every number in it is a constexpr value, so a budget is a static_assert:
///
///   constexpr auto s = ctnn::summary<Net>();
///   static_assert(s.total_params <= 100'000 && s.flops_per_sample <= 1'000'000);
///   std::cout << s;
///
/// One row per module, parents first (rows[0] is the model itself), with its name
/// (`0`, `mylayer1`), type (as print(model) names it), depth and index (torchinfo's
/// "depth-idx"), output width (0 where only run time decides it: a shape-polymorphic member
/// of a custom model), parameter count and FLOPs per sample.
///
/// FLOPs per sample count a multiply-add as 2: a layer's own `static constexpr long long
/// flops(ctnn::Shape in)` (or `flops(int in_elements)`) when it has one (Linear: 2 In Out,
/// + Out with a bias, per vector of its last dimension); another layer with parameters 2 * its
/// parameter count (each weight in one multiply-add); a layer without parameters one per
/// output element; a container, the sum of its children.
///
/// Memory, also constant (issue 6), printed in the table's footer:
/// - `model_sizeof`: sizeof(Net), the object itself: parameters and gradients of fixed size,
///   Sequential's activation-buffer handles. `model_heap_bytes`: parameters (value and
///   grad) and buffers too large for Eigen's stack limit, whose elements live on the heap.
/// - `activation_values_per_sample`: the activations forward keeps for backward, per sample
///   (Sequential's a_0..a_n, Cached's x and y, nested modules' own), plus Dropout's masks
///   (`activation_mask_bytes_per_sample`, one bool per element); `activation_bytes(batch)`.
///   When a width is decided only at run time (a shape-polymorphic member of a custom model)
///   the count is unknown: `activations_known` is false, both numbers are -1 and the table
///   prints "?".
/// - `ctnn::summary<Net, Optimizer>()` adds the optimizer's state: `optimizer_sizeof` =
///   sizeof(Optimizer) (its state matrices mirror the parameters at compile time) and
///   `optimizer_heap_bytes` (state of parameters past Eigen's stack limit, on the heap).
#pragma once

#include <array>
#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/cached.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/make_model.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/sequential.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/streaming.hpp"
#include "ctnn/detail/type_name.hpp"
#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn {

struct SummaryRow {
  detail::short_name name;  ///< "" for the model, "0", "mylayer1" below it
  detail::short_name type;  ///< "Linear", "MyNet"
  int depth = 0;            ///< 0 for the model
  int index = 0;            ///< 1, 2, ... among the rows of the same depth (torchinfo's idx)
  int out_features = 0;     ///< elements of the output; 0 when unknown at compile time
  Shape out_shape{};        ///< rank 0 when unknown at compile time
  std::size_t params = 0;   ///< parameters of this module and below
  long long flops = 0;      ///< per sample, this module and below
  bool container = false;   ///< has modules below it
};

template <std::size_t N>
struct Summary {
  std::array<SummaryRow, N> rows{};
  int in_features = 0;
  int out_features = 0;
  Shape in_shape{};
  Shape out_shape{};
  std::size_t total_params = 0;      ///< sum(p.numel() for p in model.parameters())
  std::size_t param_bytes = 0;       ///< bytes of all parameter values
  std::size_t buffer_bytes = 0;      ///< bytes of all persistent buffers (those in the state_dict)
  long long state_bytes = 0;         ///< what stateful layers keep between steps (ctnn::state_bytes)
  long long flops_per_sample = 0;    ///< FLOPs of one forward on one sample

  // ---- memory (issue 6) ----
  std::size_t model_sizeof = 0;      ///< sizeof(Net): the object with its fixed-size parameters and gradients
  std::size_t model_heap_bytes = 0;  ///< parameters (value, grad) and buffers past Eigen's stack limit
  std::size_t scalar_bytes = 0;      ///< sizeof the model's scalar (float when it has no parameters)
  bool activations_known = true;     ///< false when a width is decided only at run time
  long long activation_values_per_sample = 0;     ///< kept by forward for backward; -1 if unknown
  long long activation_mask_bytes_per_sample = 0;  ///< Dropout's masks (one bool each); -1 if unknown
  bool has_optimizer = false;        ///< summary<Net, Optimizer>()
  detail::short_name optimizer;      ///< "Adam"
  std::size_t optimizer_sizeof = 0;  ///< sizeof(Optimizer): its state with fixed-size matrices
  std::size_t optimizer_heap_bytes = 0;  ///< state of parameters past Eigen's stack limit

  /// The model's size: parameters and buffers (what a checkpoint of the weights holds).
  constexpr std::size_t model_bytes() const { return param_bytes + buffer_bytes; }
  /// Bytes forward keeps for backward at this batch size (activations and masks); -1 if unknown.
  constexpr long long activation_bytes(long long batch) const {
    if (!activations_known) return -1;
    return (activation_values_per_sample * static_cast<long long>(scalar_bytes) + activation_mask_bytes_per_sample) *
           batch;
  }
  /// The optimizer's state, object and heap (0 without an optimizer).
  constexpr std::size_t optimizer_bytes() const { return optimizer_sizeof + optimizer_heap_bytes; }
  static constexpr std::size_t size() { return N; }
};

namespace detail {

/// Calls f(type_identity<Child>, name) for every direct child of T that is a module (the
/// rows of the table).
template <class T, class F>
constexpr void for_each_child_module_type(F&& f) {
  for_each_child_type<T>([&]<class C>(std::type_identity<C> c, std::string_view name) {
    if constexpr (is_shared_child<C>) {
      f(std::type_identity<typename C::layer_type>{}, name);  // a reuse computes too: its own row
    } else if constexpr (ModuleLike<C>) {
      f(c, name);
    }
  });
}

template <class T>
constexpr std::size_t count_rows() {
  std::size_t n = 1;
  for_each_child_module_type<T>([&]<class C>(std::type_identity<C>, std::string_view) { n += count_rows<C>(); });
  return n;
}

/// Bytes of the values of T's parameters (Buffers = false) or buffers (true).
template <class T, bool Buffers>
constexpr std::size_t count_bytes() {
  return sum_over_tensors<T>([]<class P>(std::type_identity<P>) -> std::size_t {
    if constexpr (BufferType<P>) {
      // the state_dict's bytes: a non-persistent buffer is not in it
      return Buffers && P::persistent ? sizeof(typename P::scalar_type) * P::size : 0;
    } else {
      return Buffers ? 0 : sizeof(typename P::scalar_type) * P::size;
    }
  });
}

/// Bytes of parameters (value and grad) and buffers of T whose elements live on the heap:
/// those whose ctnn::Matrix is past Eigen's stack limit (core/tensor.hpp).
template <class T>
constexpr std::size_t count_heap_bytes() {
  return sum_over_tensors<T>([]<class P>(std::type_identity<P>) -> std::size_t {
    if constexpr (P::matrix_type::ColsAtCompileTime != Eigen::Dynamic) {
      return 0;
    } else {
      return (ParameterType<P> ? 2 : 1) * sizeof(typename P::scalar_type) * P::size;  // value (and grad)
    }
  });
}

// ---- activations kept for backward ------------------------------------------------------------

template <class T>
constexpr bool is_sequential_v = false;
template <class... Ls>
constexpr bool is_sequential_v<Sequential<Ls...>> = true;
template <class T>
constexpr bool is_cached_v = false;
template <class L, class S>
constexpr bool is_cached_v<Cached<L, S>> = true;

/// Whether Sequential runs layer L through L.forward_into(x, out) (detail::forward_into in
/// core/layer.hpp) rather than L.forward(x): a Cached<L> whose L has forward_into then
/// inherits it, and its x and y caches stay empty (Sequential keeps them instead).
template <class L>
constexpr bool writes_into = requires(L& l, const probe_in<L>& x, probe_out<L>& y) { l.forward_into(x, y); };

/// What a module's forward keeps for its backward, per sample.
struct ActivationCount {
  long long values = 0;      ///< activations, in the model's scalar
  long long mask_bytes = 0;  ///< Dropout's masks, one bool per element
  bool known = true;         ///< false when a width is decided only at run time

  static constexpr ActivationCount of_width(int w, bool mask = false) {
    ActivationCount c;
    if (w == any) {
      c.known = false;
    } else {
      (mask ? c.mask_bytes : c.values) = w;
    }
    return c;
  }
  constexpr ActivationCount& operator+=(const ActivationCount& o) {
    values += o.values;
    mask_bytes += o.mask_bytes;
    known = known && o.known;
    return *this;
  }
};

template <class M>
constexpr ActivationCount activations_per_sample(Shape in);
template <class L>
constexpr ActivationCount child_activations(Shape in);

/// Sequential's children, chained: what each keeps, and a_{i+1} after it.
template <class M, std::size_t... Is>
constexpr ActivationCount sequential_activations(std::index_sequence<Is...>) {
  using C = typename M::child_types;
  ActivationCount c = ActivationCount::of_width(M::child_input_shapes[0].size());  // a_0
  const ActivationCount kept[] = {ActivationCount{}, child_activations<std::tuple_element_t<Is, C>>(M::child_input_shapes[Is])...};
  // a reshaping layer's output shares its input's buffer, as does that of a layer that
  // overwrites its input (ReLU after a convolution)
  const ActivationCount outs[] = {
      ActivationCount{},
      (M::output_in_input_buffer(Is) ? ActivationCount{} : ActivationCount::of_width(M::child_input_shapes[Is + 1].size()))...};
  for (std::size_t i = 1; i <= sizeof...(Is); ++i) {
    c += kept[i];
    c += outs[i];
  }
  return c;
}

/// Any other container (Residual, Concat): what it keeps itself, its
/// `static constexpr long long kept_values(Shape in)` (values per sample, -1 when unknown;
/// none without the hook), and what each child keeps, fed the shape the container gives it.
template <class M, std::size_t... Is>
constexpr ActivationCount container_activations(Shape in, std::index_sequence<Is...>) {
  using C = typename M::child_types;
  ActivationCount c;
  (void)in;
  if constexpr (requires { M::kept_values(in); }) {
    const long long own = M::kept_values(in);
    if (own < 0) {
      c.known = false;
    } else {
      c.values = own;
    }
  }
  ((c += child_activations<std::tuple_element_t<Is, C>>(M::child_input_shapes[Is])), ...);
  return c;
}

/// A custom model's members, each with the shape its own type fixes.
template <class M>
constexpr ActivationCount member_activations() {
  ActivationCount c;
  for_each_child_module_type<M>([&]<class Child>(std::type_identity<Child>, std::string_view) {
    c += activations_per_sample<Child>(Shape{});
  });
  return c;
}

/// The activations module M keeps per sample when a sample of shape `in` arrives.
///
/// THIS MIRRORS WHAT THE MODULES KEEP; change it here when they change (the test "summary's
/// activation count is what the modules keep" in tests/unit/modules_print_test.cpp compares
/// it with Sequential::activation_bytes() and Dropout's mask after a forward):
/// - Sequential<L0..Ln-1> (core/sequential.hpp): its buffers a_0 (its input) .. a_n, n + 1
///   activations of its chain's shapes (a reshaping layer's output shares its input's), plus
///   what each layer keeps itself (a nested Sequential its own buffers, a Cached its x and y
///   unless Sequential bypasses them through forward_into);
/// - Cached<L> (core/cached.hpp): x and y, plus what L keeps;
/// - a layer with `static constexpr long long mask_bytes_per_element` (Dropout): that per
///   element of its input;
/// - another container (child_input_shapes: Residual, Concat): its own `kept_values(in)`
///   (Residual: its body's buffers) and what each child keeps, fed the shape it sees;
/// - a custom model (Hana struct): what its members keep, each member's shape its own
///   (a shape-polymorphic member makes the count unknown);
/// - any other layer: nothing (layers are pure: backward gets x and y from their owner).
template <class M>
constexpr ActivationCount activations_per_sample(Shape in) {
  if constexpr (requires { M::in_features; }) {
    if (!in.known()) in = natural_input_shape<M>();
  }
  if constexpr (is_sequential_v<M>) {
    return sequential_activations<M>(std::make_index_sequence<std::tuple_size_v<typename M::child_types>>{});
  } else if constexpr (is_cached_v<M>) {
    using L = typename M::layer_type;
    ActivationCount c = ActivationCount::of_width(in.size());      // x
    c += ActivationCount::of_width(output_shape<L>(in).size());  // y
    c += activations_per_sample<L>(in);
    return c;
  } else if constexpr (requires { M::child_input_shapes; }) {
    return container_activations<M>(in, std::make_index_sequence<std::tuple_size_v<typename M::child_types>>{});
  } else if constexpr (requires { M::mask_bytes_per_element; }) {
    ActivationCount c = ActivationCount::of_width(in.size(), /*mask=*/true);
    if (c.known) c.mask_bytes *= M::mask_bytes_per_element;
    return c;
  } else {
    return member_activations<M>();
  }
}

/// What child L of a Sequential keeps when shape `in` reaches it (a Cached run through
/// forward_into bypasses its caches).
template <class L>
constexpr ActivationCount child_activations(Shape in) {
  if constexpr (is_shared_child<L>) {
    return child_activations<typename L::layer_type>(in);  // a reuse keeps what its layer keeps
  } else if constexpr (is_cached_v<L> && writes_into<L>) {
    return activations_per_sample<typename L::layer_type>(in);
  } else {
    return activations_per_sample<L>(in);
  }
}

// ---- optimizer state --------------------------------------------------------------------------

/// Stands in for a parameter to count the parameter-shaped matrices an optimizer's State<P>
/// holds: sizeof(State<probe_parameter>) / sizeof(probe_matrix), the rest of a state (its step
/// counter) being far smaller than one probe matrix.
struct probe_matrix {
  char bytes[4096];
  constexpr probe_matrix(long, long) : bytes{} {}
  constexpr void setZero() {}
};
struct probe_parameter {
  using matrix_type = probe_matrix;
  static constexpr int rows = 1, cols = 1;
};

template <class Model, class Tuple, std::size_t Matrices>
struct optimizer_heap;
template <class Model, class... Ps, std::size_t Matrices>
struct optimizer_heap<Model, std::tuple<Ps...>, Matrices> {
  static constexpr std::size_t bytes =
      (std::size_t{0} + ... +
       (Ps::matrix_type::ColsAtCompileTime == Eigen::Dynamic ? Matrices * sizeof(typename Ps::scalar_type) * Ps::size
                                                              : 0));
};

/// Heap bytes of the state of an optimizer built on OptimizerBase (ctnn's optimizers); the
/// model it was built over, for the check that it is the summarised one.
template <class Model, template <class> class State, class Options>
constexpr std::size_t state_heap_bytes(const optim::detail::OptimizerBase<Model, State, Options>*) {
  constexpr std::size_t matrices = sizeof(State<probe_parameter>) / sizeof(probe_matrix);
  return optimizer_heap<Model, parameter_types<Model>, matrices>::bytes;
}
template <class Model, template <class> class State, class Options>
Model optimizer_model(const optim::detail::OptimizerBase<Model, State, Options>*);

template <std::size_t N>
struct summary_builder {
  std::array<SummaryRow, N> rows{};
  std::size_t n = 0;
  int per_depth[64]{};

  /// Adds module M (a sample of shape `in` arriving) and everything below it; returns its FLOPs.
  template <class M>
  constexpr long long add(std::string_view name, int depth, Shape in) {
    if constexpr (requires { M::in_features; }) {
      if (!in.known()) in = natural_input_shape<M>();
    }
    Shape out{};
    if constexpr (requires { M::out_features; }) out = output_shape<M>(in);
    const std::size_t at = n++;
    SummaryRow row;
    row.name = short_name::of(name);
    row.type = short_name::of(repr_name_of<M>());
    row.depth = depth;
    row.index = ++per_depth[depth < 63 ? depth : 63];
    row.out_features = out.size();
    row.out_shape = out;
    row.params = parameter_count<M>;

    // children: a container says which shape each sees; a struct's members take their own
    long long child_flops = 0;
    std::size_t i = 0;
    for_each_child_module_type<M>([&]<class C>(std::type_identity<C>, std::string_view child) {
      row.container = true;
      Shape child_in{};
      if constexpr (requires { M::child_input_shapes[0]; }) child_in = M::child_input_shapes[i];
      child_flops += add<C>(child, depth + 1, child_in);
      ++i;
    });

    if constexpr (requires { M::flops(in); }) {
      row.flops = M::flops(in);
    } else if constexpr (requires { M::flops(in.size()); }) {
      row.flops = M::flops(in.size());
    } else if (row.container) {
      row.flops = child_flops;
    } else if (row.params > 0) {
      row.flops = 2LL * static_cast<long long>(row.params);
    } else {
      row.flops = out.size();
    }
    rows[at] = row;
    return row.flops;
  }
};

/// 1234567 -> "1,234,567", as torchinfo prints counts.
inline std::string thousands(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v), s;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return v < 0 ? "-" + s : s;
}

/// 10560 -> "10,560 B (10.3 KiB)"; below 1 KiB just "552 B".
inline std::string readable_bytes(std::size_t bytes) {
  std::string s = thousands(static_cast<long long>(bytes)) + " B";
  if (bytes < 1024) return s;
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  std::size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, " (%.1f %s)", v, units[u]);
  return s + buf;
}

/// The output column: the element count of a flat output, the shape of any other, "?" when
/// only run time knows it.
inline std::string output_column(const SummaryRow& r) {
  if (r.out_features == any) return "?";
  if (r.out_shape.rank <= 1) return std::to_string(r.out_features);
  std::string s = "(";
  for (int i = 0; i < r.out_shape.rank; ++i) s += (i ? ", " : "") + std::to_string(r.out_shape[i]);
  return s + ")";
}

inline std::string pad(std::string s, std::size_t width, std::size_t visible) {
  if (visible < width) s.append(width - visible, ' ');
  return s;
}

}  // namespace detail

/// The summary of model type Net, computed at compile time; with an optimizer type
/// (`ctnn::summary<Net, ctnn::optim::Adam<Net>>()`), also the size of its state.
template <class Net, class Optimizer = void>
constexpr auto summary() {
  using M = std::remove_cvref_t<Net>;
  constexpr std::size_t n = detail::count_rows<M>();
  detail::summary_builder<n> b;
  Shape in{};
  if constexpr (requires { M::in_features; }) in = natural_input_shape<M>();
  Summary<n> s;
  s.flops_per_sample = b.template add<M>("", 0, in);
  s.rows = b.rows;
  s.in_features = in.size();
  s.in_shape = in;
  s.out_shape = s.rows[0].out_shape;
  s.out_features = s.rows[0].out_features;
  s.total_params = parameter_count<M>;
  s.param_bytes = detail::count_bytes<M, false>();
  s.buffer_bytes = detail::count_bytes<M, true>();
  s.state_bytes = ctnn::state_bytes<M>;
  s.model_sizeof = sizeof(M);
  s.model_heap_bytes = detail::count_heap_bytes<M>();
  s.scalar_bytes = sizeof(scalar_of<M>);
  constexpr detail::ActivationCount kept = detail::activations_per_sample<M>(Shape{});
  s.activations_known = kept.known;
  s.activation_values_per_sample = kept.known ? kept.values : -1;
  s.activation_mask_bytes_per_sample = kept.known ? kept.mask_bytes : -1;
  if constexpr (!std::is_void_v<Optimizer>) {
    using O = std::remove_cvref_t<Optimizer>;
    static_assert(optim::Optimizer<O>, "ctnn::summary<Net, Optimizer>: Optimizer is not an optimizer (see docs/training.md#optimizers)");
    s.has_optimizer = true;
    s.optimizer = detail::short_name::of(detail::repr_name_of<O>());
    s.optimizer_sizeof = sizeof(O);
    if constexpr (requires { detail::state_heap_bytes(static_cast<const O*>(nullptr)); }) {
      static_assert(std::is_same_v<decltype(detail::optimizer_model(static_cast<const O*>(nullptr))), M>,
                    "ctnn::summary<Net, Optimizer>: the optimizer is built over another model than Net");
      s.optimizer_heap_bytes = detail::state_heap_bytes(static_cast<const O*>(nullptr));
    }
  }
  return s;
}

/// Prints the table, torchinfo's layout with row_settings=("var_names",): one row per module,
/// "Type (name): depth-idx", then its output width, parameters and FLOPs per sample.
template <std::size_t N>
std::ostream& operator<<(std::ostream& os, const Summary<N>& s) {
  const std::string rule(90, '='), dash = "--";
  auto count = [&](long long v, bool container) { return container || v == 0 ? dash : detail::thousands(v); };
  os << rule << '\n'
     << detail::pad("Layer (type (var_name):depth-idx)", 40, 33) << detail::pad("Output features", 20, 15)
     << detail::pad("Param #", 15, 7) << "FLOPs/sample\n"
     << rule << '\n';
  for (const SummaryRow& r : s.rows) {
    std::string label, prefix;
    std::size_t visible = 0;
    if (r.depth == 1) {
      prefix = "\u251c\u2500";  // ├─
      visible = 2;
    } else if (r.depth > 1) {
      for (int d = 1; d < r.depth; ++d) prefix += "\u2502    ";  // │
      prefix += "\u2514\u2500";                                 // └─
      visible = 5 * static_cast<std::size_t>(r.depth - 1) + 2;
    }
    label = std::string(r.type.view());
    if (r.depth > 0) label += " (" + std::string(r.name.view()) + "): " + std::to_string(r.depth) + "-" + std::to_string(r.index);
    os << detail::pad(prefix + label, 40, visible + label.size())
       << detail::pad(detail::output_column(r), 20, detail::output_column(r).size())
       << detail::pad(count(static_cast<long long>(r.params), r.container), 15,
                      count(static_cast<long long>(r.params), r.container).size())
       << (r.container ? dash : detail::thousands(r.flops)) << '\n';
  }
  os << rule << '\n'
     << "Total params: " << detail::thousands(static_cast<long long>(s.total_params)) << '\n'
     << "FLOPs per sample: " << detail::thousands(s.flops_per_sample) << '\n'
     << "Params size (bytes): " << detail::thousands(static_cast<long long>(s.param_bytes)) << '\n'
     << "Buffers size (bytes): " << detail::thousands(static_cast<long long>(s.buffer_bytes)) << '\n'
     << "Estimated total size (bytes): " << detail::thousands(static_cast<long long>(s.model_bytes())) << '\n'
     << rule << '\n';
  // memory: the object, its heap, what forward keeps for backward, the optimizer's state
  os << "Model object, sizeof(" << s.rows[0].type.view() << "): " << detail::readable_bytes(s.model_sizeof) << '\n';
  if (s.state_bytes != 0)
    os << "State kept between steps (streaming): " << detail::readable_bytes(static_cast<std::size_t>(s.state_bytes))
       << '\n';
  if (s.model_heap_bytes != 0)
    os << "Model heap (parameters past Eigen's stack limit): " << detail::readable_bytes(s.model_heap_bytes) << '\n';
  os << "Forward/backward pass size per sample: ";
  if (s.activations_known) {
    os << detail::readable_bytes(static_cast<std::size_t>(s.activation_bytes(1))) << ", "
       << detail::thousands(s.activation_values_per_sample) << " activations";
    if (s.activation_mask_bytes_per_sample != 0)
      os << " and " << detail::thousands(s.activation_mask_bytes_per_sample) << " dropout mask bytes";
    os << " kept for backward\n";
  } else {
    os << "? (a width is decided at run time)\n";
  }
  if (s.has_optimizer) {
    os << "Optimizer state, sizeof(" << s.optimizer.view() << "): " << detail::readable_bytes(s.optimizer_sizeof) << '\n';
    if (s.optimizer_heap_bytes != 0)
      os << "Optimizer state heap (parameters past Eigen's stack limit): " << detail::readable_bytes(s.optimizer_heap_bytes)
         << '\n';
  }
  if (s.model_sizeof + s.optimizer_sizeof > stack_advice_bytes)
    os << "Larger than " << detail::readable_bytes(stack_advice_bytes)
       << ": allocate on the heap (ctnn::make_model<T>()), not on a thread's stack\n";
  os << rule << '\n';
  return os;
}

}  // namespace ctnn
