/// @file Walking a model as nn.Module walks its children: named_parameters, parameters,
/// zero_grad, parameter_count, train/eval, and the module tree itself.
///
/// A model is a tree. Its nodes are found in two ways, both at compile time:
/// - containers that list their children (`for_each_child(f)` calling `f(name, child)`, as
///   Sequential does with the names "0", "1", ...), and
/// - plain structs declared with BOOST_HANA_DEFINE_STRUCT, whose members are visited under
///   their own names (as nn.Module finds its attributes), through detail::reflection, which
///   core/reflect.hpp specializes (it holds every use of Boost.Hana; the inference header
///   goes without).
/// A ctnn::Parameter member is a leaf with a name; a NoParameter member is skipped, like a
/// parameter registered as None.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/detail/constexpr_string.hpp"
#include "ctnn/core/buffer.hpp"
#include "ctnn/core/module_base.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shared.hpp"

namespace ctnn {

namespace detail {

/// A struct's members as the walker sees them: `reflected`, and when true `size`,
/// `get<I>(obj)`, `members` (a std::tuple of their types) and `names`. Nothing is reflected
/// here; core/reflect.hpp specializes it for every Boost.Hana struct.
template <class T>
struct reflection {
  static constexpr bool reflected = false;
};

/// Declared with BOOST_HANA_DEFINE_STRUCT (the macro's nested type), whether or not
/// core/reflect.hpp has been included to walk it.
template <class T>
concept DeclaresHanaMembers = requires { typename std::remove_const_t<T>::hana_accessors_impl; };

template <class T>
concept HanaStruct = reflection<std::remove_const_t<T>>::reflected;

/// A reflection a layer writes for itself, without Boost.Hana (Linear and PReLU, so that the
/// inference header needs no Hana): inside the class,
///   using ctnn_reflection = detail::reflect_members<Linear, &Linear::weight, &Linear::bias>;
///   static constexpr std::array<std::string_view, 2> ctnn_member_names{"weight", "bias"};
/// A class deriving from such a layer (Cached<Linear<...>>, a user's subclass) inherits both.
template <class T, auto... Members>
struct reflect_members {
  static constexpr bool reflected = true;
  static constexpr std::size_t size = sizeof...(Members);
  using members = std::tuple<std::remove_cvref_t<decltype(std::declval<T&>().*Members)>...>;
  template <std::size_t I, class Obj>
  static constexpr auto& get(Obj& obj) {
    return obj.*std::get<I>(std::tuple{Members...});
  }
};
template <class T>
  requires(requires { typename T::ctnn_reflection; } && !DeclaresHanaMembers<T>)
struct reflection<T> : T::ctnn_reflection {
  // one name per member: a list of another length does not convert
  static constexpr std::array<std::string_view, T::ctnn_reflection::size> names = T::ctnn_member_names;
};

/// Named so that the note under the check names the struct.
template <class T>
struct declared_with_BOOST_HANA_DEFINE_STRUCT {
  static constexpr bool but_ctnn_reflect_hpp_is_not_included = false;
};

/// One error for a struct declared with BOOST_HANA_DEFINE_STRUCT that ctnn cannot walk, instead
/// of a model whose parameters are silently missing.
template <class T>
constexpr bool check_reflection_included() {
  if constexpr (DeclaresHanaMembers<T> && !HanaStruct<T>) {
    // Fix: #include <ctnn/core/reflect.hpp> (or <ctnn/ctnn.hpp>) before the model is used.
    static_assert(declared_with_BOOST_HANA_DEFINE_STRUCT<std::remove_const_t<T>>::but_ctnn_reflect_hpp_is_not_included,
                  "ctnn: a layer or model declares its members with BOOST_HANA_DEFINE_STRUCT, but "
                  "<ctnn/core/reflect.hpp> is not included, so ctnn cannot see them: include it (or "
                  "<ctnn/ctnn.hpp>), as <ctnn/inference.hpp> does not (the note names the struct)");
    return false;
  } else {
    return true;
  }
}

// ---- every Parameter of a reflected struct is reflected ----------------------------------------

/// Converts to anything: T{any_init, ...} tells how many members aggregate T has (Boost.PFR's
/// probe). Only declared: it is used in unevaluated operands.
struct any_init {
  template <class U>
  operator U() const;
};
/// Converts to anything but a Parameter or Buffer (that conversion exists, deleted, so that no
/// brace elision reaches into the tensor's own members instead).
struct non_tensor_init {
  template <class U>
  operator U() const;
  template <class U>
    requires(ParameterType<U> || BufferType<U>)
  operator U() const = delete;
};

template <class T, std::size_t... Is>
constexpr bool aggregate_takes(std::index_sequence<Is...>) {
  return requires { T{(static_cast<void>(Is), any_init{})...}; };
}

/// Members (and bases) of aggregate T, counted by initializing it with ever more values.
template <class T, std::size_t N = 0>
constexpr std::size_t aggregate_fields() {
  if constexpr (N < 64 && aggregate_takes<T>(std::make_index_sequence<N + 1>{})) {
    return aggregate_fields<T, N + 1>();
  } else {
    return N;
  }
}

/// Whether field I of aggregate T (of N fields) is a Parameter or a Buffer.
template <class T, std::size_t I, std::size_t... Is>
constexpr bool field_is_tensor(std::index_sequence<Is...>) {
  return !requires { T{std::conditional_t<Is == I, non_tensor_init, any_init>{}...}; };
}
template <class T, std::size_t N, std::size_t... Fields>
constexpr std::size_t tensor_fields(std::index_sequence<Fields...>) {
  return (std::size_t{0} + ... + (field_is_tensor<T, Fields>(std::make_index_sequence<N>{}) ? 1 : 0));
}

/// Parameters and buffers among the members BOOST_HANA_DEFINE_STRUCT declares for T.
template <class T>
constexpr std::size_t reflected_tensors() {
  return []<class... M>(std::type_identity<std::tuple<M...>>) {
    return (std::size_t{0} + ... + (ParameterType<M> || BufferType<M> ? 1 : 0));
  }(std::type_identity<typename reflection<T>::members>{});
}

/// Named so that the note under the check reads as a sentence with both counts.
template <class T>
struct reflected_struct {
  template <std::size_t Declared>
  struct declares_parameters_and_buffers {
    template <std::size_t Reflected>
    static constexpr bool but_reflects_only = Declared <= Reflected;
  };
};

/// For an aggregate declared with BOOST_HANA_DEFINE_STRUCT: every Parameter and Buffer member is
/// inside the macro (one outside would never be trained, saved, counted or zeroed). Classes
/// with constructors cannot be probed and are not checked.
template <class T>
constexpr bool check_reflected_members() {
  if constexpr (std::is_aggregate_v<T>) {
    constexpr std::size_t fields = aggregate_fields<T>();
    constexpr std::size_t declared = tensor_fields<T, fields>(std::make_index_sequence<fields>{});
    constexpr std::size_t reflected = reflected_tensors<T>();
    // Fix: move the Parameter (or Buffer) into BOOST_HANA_DEFINE_STRUCT(T, (type, name), ...).
    static_assert(reflected_struct<T>::template declares_parameters_and_buffers<declared>::template but_reflects_only<
                      reflected>,
                  "ctnn: a struct reflected with BOOST_HANA_DEFINE_STRUCT declares a Parameter or Buffer outside "
                  "the macro, where ctnn never sees it (never trained, saved, counted or zeroed): declare it inside "
                  "BOOST_HANA_DEFINE_STRUCT (the note names the struct and both counts)");
    return declared <= reflected;
  } else {
    return true;
  }
}

struct ignore_child {
  template <class C>
  void operator()(std::string_view, C&) const {}
};

template <class T>
concept ListsChildren = requires(T& t) { t.for_each_child(ignore_child{}); };

template <class T>
concept ListsChildTypes = requires { typename T::child_types; };

/// Calls f(name, child) for every direct child of obj (members of a Hana struct included,
/// whatever their type: callers decide what a child is).
template <class T, class F>
void for_each_child(T& obj, F&& f) {
  if constexpr (ListsChildren<T>) {
    obj.for_each_child(f);
  } else if constexpr (HanaStruct<T>) {
    using R = reflection<std::remove_const_t<T>>;
    if constexpr (check_reflected_members<std::remove_const_t<T>>()) {  // else one error has been given
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        (f(R::names[Is], R::template get<Is>(obj)), ...);
      }(std::make_index_sequence<R::size>{});
    }
  } else {
    (void)check_reflection_included<T>();
  }
}

/// Something that is neither a parameter nor a plain value: a layer or a model.
template <class T>
concept ModuleLike = std::is_class_v<T> && !ParameterType<T> && !BufferType<T> &&
                     !std::is_same_v<std::remove_const_t<T>, NoParameter> &&
                     (ListsChildren<T> || HanaStruct<T> || DeclaresHanaMembers<T> || requires { T::in_features; });

template <class T, class F>
void visit_parameters(T& obj, F& f) {
  if constexpr (ParameterType<T>) {
    f(obj);
  } else if constexpr (ModuleLike<T>) {
    for_each_child(obj, [&](std::string_view, auto& child) { visit_parameters(child, f); });
  }
}

/// Calls f(name, child) for every child of obj as the state_dict lists them: a container's
/// reused positions (ctnn::Shared) too, under their own names.
template <class T, class F>
void for_each_state_child(T& obj, F&& f) {
  if constexpr (requires { obj.for_each_child_with_shared(f); }) {
    obj.for_each_child_with_shared(f);
  } else {
    for_each_child(obj, f);
  }
}

/// WithShared: every name a shared parameter has (the state_dict's); else each parameter once
/// (named_parameters, as PyTorch's remove_duplicate).
template <bool WithShared = false, class T, class F>
void visit_named_parameters(T& obj, const std::string& prefix, F& f) {
  if constexpr (ParameterType<T>) {
    f(std::string_view(prefix), obj);
  } else if constexpr (ModuleLike<T>) {
    auto visit = [&](std::string_view name, auto& child) {
      std::string full = prefix;
      if (!full.empty()) full += '.';
      full += name;
      visit_named_parameters<WithShared>(child, full, f);
    };
    if constexpr (WithShared) {
      for_each_state_child(obj, visit);
    } else {
      for_each_child(obj, visit);
    }
  }
}

template <bool Named, class T, class F, bool WithShared = false>
void visit_buffers(T& obj, const std::string& prefix, F& f) {
  if constexpr (BufferType<T>) {
    if constexpr (Named) {
      f(std::string_view(prefix), obj);
    } else {
      f(obj);
    }
  } else if constexpr (ModuleLike<T>) {
    auto visit = [&](std::string_view name, auto& child) {
      if constexpr (!Named) {
        visit_buffers<false, std::remove_reference_t<decltype(child)>, F, WithShared>(child, prefix, f);
      } else {
        std::string full = prefix;
        if (!full.empty()) full += '.';
        full += name;
        visit_buffers<true, std::remove_reference_t<decltype(child)>, F, WithShared>(child, full, f);
      }
    };
    if constexpr (WithShared) {
      for_each_state_child(obj, visit);
    } else {
      for_each_child(obj, visit);
    }
  }
}

/// The state_dict's parameters: every name, a shared parameter under each of its names
/// (PyTorch's state_dict has "2.weight" and "4.weight" for one shared Linear).
template <class Model, class F>
void named_state_parameters(Model& model, F&& f) {
  visit_named_parameters<true>(model, std::string{}, f);
}
/// The state_dict's buffers, likewise.
template <class Model, class F>
void named_state_buffers(Model& model, F&& f) {
  visit_buffers<true, Model, F, true>(model, std::string{}, f);
}

template <class T, class F>
void visit_modules(T& obj, F& f) {
  if constexpr (ModuleLike<T>) {
    f(obj);
    for_each_child(obj, [&](std::string_view, auto& child) { visit_modules(child, f); });
  }
}

template <std::size_t I>
struct index_name;

/// The name of T's I-th listed child: T::child_names[I] when T names its children (a
/// recurrent layer's "weight_ih_l0", ...), else "0", "1", ... (Sequential's).
template <class T, std::size_t I>
constexpr std::string_view listed_child_name() {
  if constexpr (requires { T::child_names[I].view(); }) {
    return T::child_names[I].view();
  } else {
    return index_name<I>::value;
  }
}

template <class T, class F, std::size_t... Is>
constexpr void for_each_listed_child_type(F& f, std::index_sequence<Is...>) {
  (f(std::type_identity<std::tuple_element_t<Is, typename T::child_types>>{}, listed_child_name<T, Is>()), ...);
}

/// The walk over types, as for_each_child walks objects: calls f(type_identity<Child>, name)
/// for every direct child of T, in state_dict order: a container's child_types ("0", "1",
/// ..., or its child_names) or a reflected struct's members under their own names (parameters, buffers and
/// empty slots included: callers decide what a child is).
template <class T, class F>
constexpr void for_each_child_type(F&& f) {
  if constexpr (ListsChildTypes<T>) {
    for_each_listed_child_type<T>(f, std::make_index_sequence<std::tuple_size_v<typename T::child_types>>{});
  } else if constexpr (HanaStruct<T>) {
    using R = reflection<T>;
    if constexpr (check_reflected_members<T>()) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        (f(std::type_identity<std::tuple_element_t<Is, typename R::members>>{}, R::names[Is]), ...);
      }(std::make_index_sequence<R::size>{});
    }
  } else {
    (void)check_reflection_included<T>();
  }
}

/// The sum of g(type_identity<P>) over every parameter and buffer P in the tree of T: each
/// once, or (WithShared) as the state_dict lists them, a shared layer's under each of its names.
template <class T, bool WithShared = false, class G>
constexpr std::size_t sum_over_tensors(G g) {
  if constexpr (ParameterType<T> || BufferType<T>) {
    return g(std::type_identity<T>{});
  } else if constexpr (is_shared_child<T>) {
    if constexpr (WithShared) {
      return sum_over_tensors<typename T::layer_type, true>(g);
    } else {
      return 0;  // its layer was counted where it is defined
    }
  } else if constexpr (ModuleLike<T>) {
    std::size_t n = 0;
    for_each_child_type<T>(
        [&]<class C>(std::type_identity<C>, std::string_view) { n += sum_over_tensors<C, WithShared>(g); });
    return n;
  } else {
    return 0;
  }
}

template <class T>
constexpr std::size_t count_parameters() {
  return sum_over_tensors<T>([]<class P>(std::type_identity<P>) -> std::size_t { return ParameterType<P> ? P::size : 0; });
}

/// The direct children of T as a std::tuple of types, in state_dict order: a container's
/// child_types, a reflected struct's member types, nothing for anything else. The one
/// definition of "the children of a type"; every type-level walk goes through it.
template <class T>
struct child_type_list {
  using type = std::tuple<>;
};
template <class T>
  requires ListsChildTypes<T>
struct child_type_list<T> {
  using type = typename T::child_types;
};
template <class T>
  requires(!ListsChildTypes<T> && HanaStruct<T>)
struct child_type_list<T> {
  using type = typename reflection<T>::members;
};
template <class T>
using child_type_list_t = typename child_type_list<T>::type;

/// std::tuple of the Parameter types of T, in state_dict order (what count_parameters sums):
/// optimizers build their state, with compile-time sizes, from it.
template <class T>
struct parameter_types_of;
template <class Tuple, class Seq = std::make_index_sequence<std::tuple_size_v<Tuple>>>
struct parameter_types_of_tuple;
template <class Tuple, std::size_t... Is>
struct parameter_types_of_tuple<Tuple, std::index_sequence<Is...>> {
  using type = decltype(std::tuple_cat(std::declval<typename parameter_types_of<std::tuple_element_t<Is, Tuple>>::type>()...));
};
template <class T>
struct parameter_types_of {
  using type = typename parameter_types_of_tuple<child_type_list_t<T>>::type;
};
template <ParameterType T>
struct parameter_types_of<T> {
  using type = std::tuple<T>;
};

template <class Model>
using parameter_types = typename parameter_types_of<std::remove_cvref_t<Model>>::type;

/// "0", "1", ...: the name of a container's I-th child.
template <std::size_t I>
struct index_name {
  static constexpr short_name data = decimal(static_cast<long long>(I));
  static constexpr std::string_view value = data.view();
};

}  // namespace detail

/// Calls f(name, parameter) for every parameter of model, in PyTorch's state_dict order and
/// with its names ("0.weight", "0.bias", "2.weight"; "1.0.weight" in a nested Sequential;
/// "mylayer1.weight" in a struct). Allocates the names; use parameters() on hot paths.
template <class Model, class F>
void named_parameters(Model& model, F&& f) {
  detail::visit_named_parameters(model, std::string{}, f);
}

/// Calls f(parameter) for every parameter of model, in state_dict order. No allocation.
template <class Model, class F>
void parameters(Model& model, F&& f) {
  detail::visit_parameters(model, f);
}

/// Calls f(name, buffer) for every ctnn::Buffer of model (PyTorch's named_buffers), named as
/// parameters are ("bn.running_mean"), non-persistent ones included (as in PyTorch: a walker
/// that resets state finds them; `Buffer::persistent` tells them apart). Buffers are state,
/// not parameters: optimizers, zero_grad and parameter_count do not see them; files see the
/// persistent ones.
template <class Model, class F>
void named_buffers(Model& model, F&& f) {
  detail::visit_buffers<true>(model, std::string{}, f);
}

/// Calls f(buffer) for every ctnn::Buffer of model, non-persistent ones included. No allocation.
template <class Model, class F>
void buffers(Model& model, F&& f) {
  detail::visit_buffers<false>(model, std::string{}, f);
}

/// Calls f(module) for model and every module below it, parents before children.
template <class Model, class F>
void for_each_module(Model& model, F&& f) {
  detail::visit_modules(model, f);
}

/// Sets every parameter's gradient to zero (PyTorch's model.zero_grad(set_to_none=False)).
template <class Model>
void zero_grad(Model& model) {
  parameters(model, [](auto& p) { p.zero_grad(); });
}

/// Number of scalars in all parameters of Model, as sum(p.numel() for p in model.parameters()).
template <class Model>
inline constexpr std::size_t parameter_count = detail::count_parameters<std::remove_cvref_t<Model>>();

/// model.train(on): sets the mode of model and of every module below it (the modules that
/// care, such as Dropout, have `set_training(bool)`).
template <class Model>
void train(Model& model, bool on = true) {
  for_each_module(model, [on](auto& m) {
    if constexpr (requires { m.set_training(on); }) m.set_training(on);
  });
}

/// model.eval(): train(model, false).
template <class Model>
void eval(Model& model) {
  train(model, false);
}

}  // namespace ctnn
