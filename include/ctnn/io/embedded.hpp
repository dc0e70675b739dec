/// @file Support for headers written by the ctnn-embed tool (weights compiled into the
/// program): ctnn::assign_embedded copies a constant array into a Parameter or Buffer after
/// checking at compile time that the array's shape is the slot's, and
/// ctnn::embedded_tensor_count<Model> counts the tensors a header must provide.
///
/// A generated header calls, for every tensor of the file,
///   ctnn::assign_embedded<"0.weight", 128, 8>(ctnn::embedded_slot<"weight">(m.template get<0>()), data::t0);
/// and checks `ctnn::check_embedded_tensor_count<Model, 4>()`, so the compiler proves that
/// the header fills every parameter and buffer of Model with an array of the right shape.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/detail/constexpr_string.hpp"
#include "ctnn/core/buffer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/io/fingerprint.hpp"

namespace ctnn {

namespace detail {

/// Named so that the compiler's note reads as a sentence with the name and both shapes.
template <string_literal Name>
struct embedded_tensor {
  template <int... HeaderShape>
  struct has_shape {
    template <int... ModelShape>
    struct but_the_model_slot_has_shape {
      static constexpr bool value = sizeof...(HeaderShape) == sizeof...(ModelShape) &&
                                    std::array<int, sizeof...(HeaderShape)>{HeaderShape...} ==
                                        std::array<int, sizeof...(ModelShape)>{ModelShape...};
    };
  };
};

template <string_literal Name, class Target, int... Shape, std::size_t... Is>
constexpr bool check_embedded_shape(std::index_sequence<Is...>) {
  constexpr auto model = Target::shape();
  using check = typename embedded_tensor<Name>::template has_shape<Shape...>::template but_the_model_slot_has_shape<
      model[Is]...>;
  // Fix: regenerate the header with ctnn-embed from weights of this architecture, or change
  // the model type named by --type.
  static_assert(embedded_tensor<Name>::template has_shape<Shape...>::template but_the_model_slot_has_shape<
                    model[Is]...>::value,
                "ctnn-embed: a tensor of the generated header does not have the shape of the model's "
                "parameter or buffer it fills (the note names the tensor and both shapes)");
  return check::value;
}

/// Tensors of T's state_dict: parameters and persistent buffers, a shared layer's under each
/// of its names.
template <class T>
constexpr std::size_t count_tensors() {
  return sum_over_tensors<T, true>(
      []<class P>(std::type_identity<P>) -> std::size_t { return ParameterType<P> || PersistentBufferType<P> ? 1 : 0; });
}

template <std::size_t InHeader>
struct embedded_header {
  template <std::size_t InModel>
  static constexpr bool holds_tensors_but_the_model_has = InHeader == InModel;
};

inline constexpr std::size_t no_child = static_cast<std::size_t>(-1);

/// The position of the child named `name` among T's children (for_each_child_type's order and
/// names), no_child when T has none of that name.
template <class T>
constexpr std::size_t child_index(std::string_view name) {
  std::size_t i = 0, found = no_child;
  for_each_child_type<T>([&]<class C>(std::type_identity<C>, std::string_view n) {
    if (n == name && found == no_child) found = i;
    ++i;
  });
  return found;
}

template <string_literal Name>
struct embedded_slot_name {
  template <class Parent>
  static constexpr bool is_not_a_child_of = false;
};

}  // namespace detail

/// The child of `parent` that state_dict calls Name: a reflected member (`bias`), or a child
/// a container names (a recurrent layer's `weight_ih_l0`); found at compile time. Generated
/// headers reach every tensor through it.
template <detail::string_literal Name, class Parent>
auto& embedded_slot(Parent& parent) {
  constexpr std::size_t i = detail::child_index<Parent>(Name.view());
  if constexpr (i == detail::no_child) {
    // Fix: regenerate the header with ctnn-embed from weights of this architecture, or change
    // the model type named by --type.
    static_assert(detail::embedded_slot_name<Name>::template is_not_a_child_of<Parent>,
                  "ctnn-embed: the generated header names a tensor the model does not have (the note names "
                  "it and the layer)");
    return parent;
  } else if constexpr (detail::ListsChildTypes<Parent>) {
    using Child = std::tuple_element_t<i, typename Parent::child_types>;
    Child* slot = nullptr;
    std::size_t k = 0;
    detail::for_each_child(parent, [&](std::string_view, auto& c) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(c)>, Child>) {
        if (k == i) slot = &c;
      }
      ++k;
    });
    return *slot;
  } else {
    return detail::reflection<Parent>::template get<i>(parent);
  }
}

/// Number of tensors (parameters and persistent buffers) in Model's state_dict.
template <class Model>
inline constexpr std::size_t embedded_tensor_count = detail::count_tensors<std::remove_cvref_t<Model>>();

/// Compile-time check that a generated header provides exactly as many tensors as Model has
/// (fails to compile otherwise).
template <class Model, std::size_t InHeader>
constexpr bool check_embedded_tensor_count() {
  // Fix: the file was written for a model with more or fewer tensors; regenerate the header
  // from weights of this architecture, or change the model type named by --type.
  static_assert(detail::embedded_header<InHeader>::template holds_tensors_but_the_model_has<embedded_tensor_count<Model>>,
                "ctnn-embed: the generated header and the model have different numbers of tensors (the "
                "note names both counts)");
  return true;  // the static_assert above has spoken; one error is enough
}

namespace detail {
/// assign_embedded's copy, once the slot is a tensor.
template <string_literal Name, int... Shape, class Target, class T, std::size_t N>
void assign_checked(Target& target, const T (&data)[N]) {
  constexpr bool ok =
      check_embedded_shape<Name, Target, Shape...>(std::make_index_sequence<std::tuple_size_v<decltype(Target::shape())>>{});
  if constexpr (ok) {
    static_assert(N == static_cast<std::size_t>(Target::size), "ctnn-embed: array size and shape disagree");
    using S = typename Target::scalar_type;
    for (int r = 0; r < Target::rows; ++r)
      for (int c = 0; c < Target::cols; ++c) target.value(r, c) = static_cast<S>(data[r * Target::cols + c]);
  }
}
}  // namespace detail

/// Copies `data` (row-major, PyTorch's layout) into a Parameter's or Buffer's value. Shape is
/// PyTorch's shape of the tensor, any rank (none for a 0-D tensor), checked against the
/// target's shape() at compile time; the target stores it as its row-major flattening.
template <detail::string_literal Name, int... Shape, class Target, class T, std::size_t N>
void assign_embedded(Target& target, const T (&data)[N]) {
  if constexpr (!ParameterType<Target> && !BufferType<Target>) {
    return;  // embedded_slot found no tensor of that name and has said so: one error is enough
  } else {
    detail::assign_checked<Name, Shape...>(target, data);
  }
}

}  // namespace ctnn
