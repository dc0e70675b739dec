/// @file Structs declared with BOOST_HANA_DEFINE_STRUCT, made walkable: specializes
/// ctnn::detail::reflection (core/module.hpp) for every Boost.Hana struct, so that the walker
/// visits their members under their own names. Included by <ctnn/ctnn.hpp> and by the layer
/// families declared with the macro; a custom layer used with <ctnn/inference.hpp> alone
/// includes it itself (forgetting it is a compile error that says so). Kept out of the
/// inference header because Boost.Hana's headers were half of that header's compile time.
#pragma once

// fold_left and for_each are not used here: <ctnn/ctnn.hpp> included them before this header
// existed, and programs may rely on them.

#include <boost/hana/accessors.hpp>
#include <boost/hana/at.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/module.hpp"

namespace ctnn::detail {

template <char... C>
inline constexpr char hana_chars[] = {C..., '\0'};
template <char... C>
constexpr std::string_view hana_name(boost::hana::string<C...>) {
  return std::string_view(hana_chars<C...>, sizeof...(C));
}

template <class T>
  requires boost::hana::Struct<T>::value
struct reflection<T> {
  static constexpr bool reflected = true;
  static constexpr std::size_t size = decltype(boost::hana::length(boost::hana::accessors<T>()))::value;

  /// The I-th member of obj (T or const T).
  template <std::size_t I, class Obj>
  static constexpr auto& get(Obj& obj) {
    return boost::hana::second(boost::hana::at_c<I>(boost::hana::accessors<T>()))(obj);
  }
  /// The members' types, in declaration order.
  using members = typename decltype([]<std::size_t... Is>(std::index_sequence<Is...>) {
    return std::type_identity<std::tuple<std::remove_cvref_t<decltype(get<Is>(std::declval<T&>()))>...>>{};
  }(std::make_index_sequence<size>{}))::type;
  /// The members' names, in declaration order.
  static constexpr std::array<std::string_view, size> names = []<std::size_t... Is>(std::index_sequence<Is...>) {
    return std::array<std::string_view, size>{
        hana_name(boost::hana::first(boost::hana::at_c<Is>(boost::hana::accessors<T>())))...};
  }(std::make_index_sequence<size>{});
};

}  // namespace ctnn::detail
