/// @file Defines ctnn::architecture<Model>: a readable description of a model's architecture,
/// computed at compile time from its type, e.g.
/// `Sequential(Linear(8,128),ReLU,Linear(128,1))`. Files ctnn writes carry it, so loading
/// weights made for another architecture fails with both descriptions in words.
///
/// The grammar, module by module:
/// - the module's name: its `repr_name`, else its class name (ctnn/detail/type_name.hpp);
/// - then, in parentheses when there are any: its widths `In,Out` when both are fixed (not
///   for containers, whose children say it); the
///   children of a container, in order (Sequential); for a reflected struct, each member that
///   is a module as `name=...` and each empty parameter slot as `name=None`, and, when the
///   type has no repr_name of its own (a user's layer), each parameter and persistent buffer
///   with PyTorch's shape, `name=Parameter(R,C)` / `name=Buffer(R)` / `name=Parameter(8,3,3,3)`
///   / `name=Buffer()` (0-D); a non-persistent buffer is not in files, so not here either.
/// Built-in layers are thus described by name and widths (Linear(8,128,bias=None) when
/// Linear has no bias); a user's layer by its class name and what it holds.
/// A layer with a describe hook (DescribesItself) is its name and the arguments the hook
/// writes, PyTorch's constructor arguments that differ from their defaults, as PyTorch's
/// repr: `Conv2d(1,8,kernel_size=(3,3),padding=(1,1))`, `MaxPool2d(kernel_size=(2,2))`,
/// `GRU(1,8,num_layers=2,bidirectional=True)`, `BatchNorm2d(8)`, `PReLU(num_parameters=8)`;
/// not its input's length, which decides no parameter.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctnn/detail/constexpr_string.hpp"
#include "ctnn/core/buffer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/detail/type_name.hpp"

namespace ctnn {

namespace detail {

/// Counts characters (out == nullptr) or writes them: the same code measures the description,
/// then fills an array of exactly that size.
struct description_sink {
  char* out = nullptr;
  std::size_t n = 0;
  constexpr void put(std::string_view s) {
    for (char c : s) {
      if (out) out[n] = c;
      ++n;
    }
  }
  constexpr void put(long long v) { put(decimal(v).view()); }
};

template <class T>
constexpr void describe(description_sink& s);

/// "(" before the first argument, "," before the others. A layer's describe hook writes its
/// arguments through arg(): `5`, `stride=2`, `padding=same`, `kernel_size=(3,5)`.
struct argument_list {
  description_sink& s;
  bool open = false;
  constexpr void next() {
    s.put(open ? "," : "(");
    open = true;
  }
  constexpr void close() {
    if (open) s.put(")");
  }
  constexpr void arg(long long v) {
    next();
    s.put(v);
  }
  constexpr void arg(std::string_view key, long long v) {
    key_of(key);
    s.put(v);
  }
  constexpr void arg(std::string_view key, std::string_view v) {
    key_of(key);
    s.put(v);
  }
  constexpr void arg(std::string_view key, long long h, long long w) {
    key_of(key);
    s.put("(");
    s.put(h);
    s.put(",");
    s.put(w);
    s.put(")");
  }

 private:
  constexpr void key_of(std::string_view key) {
    next();
    s.put(key);
    s.put("=");
  }
};

/// A layer's own description of its arguments (the sizes and options that decide its
/// parameters and its computation, which widths alone do not tell: kernel sizes, strides,
/// hidden sizes, layers): `template <class A> static constexpr void describe(A& args)`.
template <class T>
concept DescribesItself = requires(argument_list& a) { T::describe(a); };

/// `Parameter(8,3,3,3)`: the kind and PyTorch's shape, `Parameter()` for a 0-D tensor.
template <class T>
constexpr void describe_tensor(description_sink& s, std::string_view kind) {
  s.put(kind);
  s.put("(");
  bool first = true;
  for (int d : T::shape()) {
    if (!first) s.put(",");
    s.put(static_cast<long long>(d));
    first = false;
  }
  s.put(")");
}

/// A reflected layer's or model's members: its modules, empty slots, and (for a struct without
/// a printed name of its own) its parameters and buffers, with their names.
template <class T>
constexpr void describe_members(argument_list& args) {
  constexpr bool own_name = requires { std::string_view(T::repr_name); };
  for_each_child_type<T>([&]<class M>(std::type_identity<M>, std::string_view name) {
    constexpr bool shown = std::is_same_v<M, NoParameter> || ModuleLike<M> ||
                           (!own_name && (ParameterType<M> || PersistentBufferType<M>));
    if constexpr (shown) {
      args.next();
      args.s.put(name);
      args.s.put("=");
      if constexpr (std::is_same_v<M, NoParameter>) {
        args.s.put("None");
      } else if constexpr (ParameterType<M>) {
        describe_tensor<M>(args.s, "Parameter");
      } else if constexpr (BufferType<M>) {
        describe_tensor<M>(args.s, "Buffer");
      } else {
        describe<M>(args.s);
      }
    }
  });
}

template <class T>
constexpr void describe(description_sink& s) {
  if constexpr (is_shared_child<T>) {  // ctnn::Shared<I>: a reuse of child I
    s.put("Shared(");
    s.put(static_cast<long long>(T::target));
    s.put(")");
    return;
  }
  s.put(repr_name_of<T>());
  argument_list args{s};
  if constexpr (DescribesItself<T>) {  // the layer's describe hook says it all
    T::describe(args);
    args.close();
    return;
  }
  if constexpr (!ListsChildTypes<T> && requires { T::in_features; T::out_features; }) {
    if constexpr (T::in_features != any && T::out_features != any) {
      args.next();
      s.put(static_cast<long long>(T::in_features));
      s.put(",");
      s.put(static_cast<long long>(T::out_features));
    }
  }
  if constexpr (ListsChildTypes<T>) {  // a container: its children in order, unnamed
    for_each_child_type<T>([&]<class C>(std::type_identity<C>, std::string_view) {
      args.next();
      describe<C>(args.s);
    });
  } else if constexpr (HanaStruct<T>) {
    describe_members<T>(args);
  }
  args.close();
}

template <class T>
struct architecture_storage {
  static constexpr std::size_t size = [] {
    description_sink s;
    describe<T>(s);
    return s.n;
  }();
  static constexpr std::array<char, size + 1> chars = [] {
    std::array<char, size + 1> a{};
    description_sink s{a.data()};
    describe<T>(s);
    return a;
  }();
};

}  // namespace detail

/// The architecture of Model in words, computed at compile time:
/// `static_assert(ctnn::architecture<Net> == "Sequential(Linear(8,128),ReLU,Linear(128,1))");`
template <class Model>
inline constexpr std::string_view architecture{detail::architecture_storage<std::remove_cvref_t<Model>>::chars.data(),
                                               detail::architecture_storage<std::remove_cvref_t<Model>>::size};

}  // namespace ctnn
