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
/// flops(int in_width)` when it has one; Linear 2 * In * Out (+ Out with a bias); another
/// layer with parameters 2 * its parameter count (each weight in one multiply-add); a layer
/// without parameters one per output element; a container, the sum of its children.
#pragma once

#include <array>
#include <boost/hana/accessors.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <cstddef>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/detail/type_name.hpp"
#include "ctnn/layers/linear.hpp"

namespace ctnn {

struct SummaryRow {
  detail::short_name name;  ///< "" for the model, "0", "mylayer1" below it
  detail::short_name type;  ///< "Linear", "MyNet"
  int depth = 0;            ///< 0 for the model
  int index = 0;            ///< 1, 2, ... among the rows of the same depth (torchinfo's idx)
  int out_features = 0;     ///< 0 when unknown at compile time
  std::size_t params = 0;   ///< parameters of this module and below
  long long flops = 0;      ///< per sample, this module and below
  bool container = false;   ///< has modules below it
};

template <std::size_t N>
struct Summary {
  std::array<SummaryRow, N> rows{};
  int in_features = 0;
  int out_features = 0;
  std::size_t total_params = 0;      ///< sum(p.numel() for p in model.parameters())
  std::size_t param_bytes = 0;       ///< bytes of all parameter values
  std::size_t buffer_bytes = 0;      ///< bytes of all buffers
  long long flops_per_sample = 0;    ///< FLOPs of one forward on one sample
  /// The model's size: parameters and buffers (what a checkpoint of the weights holds).
  constexpr std::size_t model_bytes() const { return param_bytes + buffer_bytes; }
  static constexpr std::size_t size() { return N; }
};

namespace detail {

template <class T>
constexpr bool is_linear_v = false;
template <int In, int Out, bool B, class S>
constexpr bool is_linear_v<Linear<In, Out, B, S>> = true;

/// Type of the member an accessor pair of Hana struct T yields.
template <class T, class Pair>
using member_t = std::remove_cvref_t<decltype(boost::hana::second(std::declval<Pair>())(std::declval<T&>()))>;

/// Calls f.template operator()<Child>(name) for every direct child type that is a module.
template <class T, class F>
constexpr void for_each_child_type(F&& f) {
  if constexpr (ListsChildTypes<T>) {
    using C = typename T::child_types;
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      (f(std::type_identity<std::tuple_element_t<Is, C>>{}, index_name<Is>::value), ...);
    }(std::make_index_sequence<std::tuple_size_v<C>>{});
  } else if constexpr (HanaStruct<T>) {
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
      using M = member_t<T, decltype(pair)>;
      if constexpr (ModuleLike<M>) f(std::type_identity<M>{}, std::string_view(boost::hana::to<char const*>(boost::hana::first(pair))));
    });
  }
}

template <class T>
constexpr std::size_t count_rows() {
  std::size_t n = 1;
  for_each_child_type<T>([&]<class C>(std::type_identity<C>, std::string_view) { n += count_rows<C>(); });
  return n;
}

template <class T, bool Buffers>
constexpr std::size_t count_bytes() {
  if constexpr (ParameterType<T>) {
    return Buffers ? 0 : sizeof(typename T::scalar_type) * T::size;
  } else if constexpr (BufferType<T>) {
    return Buffers ? sizeof(typename T::scalar_type) * T::size : 0;
  } else if constexpr (ListsChildTypes<T>) {
    using C = typename T::child_types;
    return [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      return (std::size_t{0} + ... + count_bytes<std::tuple_element_t<Is, C>, Buffers>());
    }(std::make_index_sequence<std::tuple_size_v<C>>{});
  } else if constexpr (HanaStruct<T>) {
    std::size_t n = 0;
    boost::hana::for_each(boost::hana::accessors<T>(),
                          [&](auto pair) { n += count_bytes<member_t<T, decltype(pair)>, Buffers>(); });
    return n;
  } else {
    return 0;
  }
}

constexpr short_name to_short_name(std::string_view s) {
  short_name r;
  for (std::size_t i = 0; i < s.size() && i < sizeof r.chars; ++i) r.chars[r.len++] = s[i];
  return r;
}

template <std::size_t N>
struct summary_builder {
  std::array<SummaryRow, N> rows{};
  std::size_t n = 0;
  int per_depth[64]{};

  /// Adds module M (arriving with in_width features) and everything below it; returns its FLOPs.
  template <class M>
  constexpr long long add(std::string_view name, int depth, int in_width) {
    int in = in_width;
    if constexpr (requires { M::in_features; }) {
      if (M::in_features != any) in = M::in_features;
    }
    int out = any;
    if constexpr (requires { M::out_features; }) out = output_width<M>(in);
    const std::size_t at = n++;
    SummaryRow row;
    row.name = to_short_name(name);
    row.type = to_short_name(repr_name_of<M>());
    row.depth = depth;
    row.index = ++per_depth[depth < 63 ? depth : 63];
    row.out_features = out;
    row.params = parameter_count<M>;

    // children, chained when M is a Sequential (each gets what the previous one produced)
    long long child_flops = 0;
    int w = in;
    for_each_child_type<M>([&]<class C>(std::type_identity<C>, std::string_view child) {
      row.container = true;
      int child_in = ListsChildTypes<M> ? w : any;
      child_flops += add<C>(child, depth + 1, child_in);
      if constexpr (requires { C::out_features; }) {
        if constexpr (ListsChildTypes<M>) w = output_width<C>(C::in_features != any ? C::in_features : w);
      }
    });

    if constexpr (requires { M::flops(in); }) {
      row.flops = M::flops(in);
    } else if constexpr (is_linear_v<M>) {
      row.flops = 2LL * M::in_features * M::out_features + (M::has_bias ? M::out_features : 0);
    } else if (row.container) {
      row.flops = child_flops;
    } else if (row.params > 0) {
      row.flops = 2LL * static_cast<long long>(row.params);
    } else {
      row.flops = out != any ? out : 0;
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

inline std::string pad(std::string s, std::size_t width, std::size_t visible) {
  if (visible < width) s.append(width - visible, ' ');
  return s;
}

}  // namespace detail

/// The summary of model type Net, computed at compile time.
template <class Net>
constexpr auto summary() {
  using M = std::remove_cvref_t<Net>;
  constexpr std::size_t n = detail::count_rows<M>();
  detail::summary_builder<n> b;
  int in = any;
  if constexpr (requires { M::in_features; }) in = M::in_features;
  Summary<n> s;
  s.flops_per_sample = b.template add<M>("", 0, in);
  s.rows = b.rows;
  s.in_features = in;
  s.out_features = s.rows[0].out_features;
  s.total_params = parameter_count<M>;
  s.param_bytes = detail::count_bytes<M, false>();
  s.buffer_bytes = detail::count_bytes<M, true>();
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
       << detail::pad(r.out_features == any ? "?" : std::to_string(r.out_features), 20,
                      r.out_features == any ? 1 : std::to_string(r.out_features).size())
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
  return os;
}

}  // namespace ctnn
