// libstdc++ shim for Debian 12. TorchSharp's libLibTorchSharp.so was linked against GCC 13's
// libstdc++, which added std::ios_base_library_init() (GLIBCXX_3.4.32) to make sure the
// standard streams are set up; Debian 12's libstdc++ (GLIBCXX_3.4.30) lacks it. This library
// provides the one missing function with the same effect. The symbol is given by its mangled
// name so that nothing is declared inside namespace std.
#include <ios>

extern "C" __attribute__((visibility("default"))) void xlaprune_ios_base_library_init() __asm__("_ZSt21ios_base_library_initv");

extern "C" void xlaprune_ios_base_library_init() {
  static std::ios_base::Init init;
}
