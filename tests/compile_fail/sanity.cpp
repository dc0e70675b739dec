// The compile-fail harness can fail: the ko build is not C++.
int main() {
#ifdef CTNN_SHOULD_FAIL
  this_is_not_cpp;
#endif
  return 0;
}
