// Startup code and board support for QEMU's mps2-an386 (Cortex-M4F): the vector table, the
// reset handler (FPU on, .data copied from flash, .bss zeroed, constructors run, main),
// semihosting output and exit, and stack painting.
#include "board.hpp"

#include <cstring>

extern "C" {
extern std::uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _sstack[], _estack[];
extern void (*__preinit_array_start[])();
extern void (*__preinit_array_end[])();
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int main();
}

namespace {

constexpr int sys_write0 = 0x04;
constexpr int sys_exit_extended = 0x20;
constexpr std::uint32_t adp_stopped_application_exit = 0x20026;

// ARM semihosting: operation in r0, argument in r1, trapped by QEMU at BKPT 0xAB.
std::uint32_t semihost(std::uint32_t op, const void* arg) {
  register std::uint32_t r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}


std::uint32_t* stack_pointer() {
  std::uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

constexpr std::uint32_t paint = 0xC5C5C5C5u;
std::uint32_t* stack_base = nullptr;  // the caller's stack pointer when it painted

}  // namespace

extern "C" [[noreturn]] void Reset_Handler() {
  // The FPU first (CPACR: full access to CP10 and CP11): compiled code may use it anywhere.
  auto* cpacr = reinterpret_cast<volatile std::uint32_t*>(0xE000ED88);
  *cpacr = *cpacr | (0xFu << 20);
  // QEMU's "flash" is RAM: the MPU makes it read-only, as real flash is, so that a stray write
  // faults where it happens instead of corrupting code (region 0: 4 MiB at 0, read-only,
  // executable; the default memory map elsewhere). Memory, bus and usage faults get their
  // own handlers.
  auto reg = [](std::uintptr_t a) -> volatile std::uint32_t& { return *reinterpret_cast<volatile std::uint32_t*>(a); };
  reg(0xE000ED98) = 0;                                              // MPU_RNR: region 0
  reg(0xE000ED9C) = 0x00000000;                                     // MPU_RBAR: base 0
  reg(0xE000EDA0) = (0b110u << 24) | (1u << 17) | (21u << 1) | 1u;  // MPU_RASR: read-only, 2^22 bytes
  reg(0xE000ED94) = (1u << 2) | 1u;                                 // MPU_CTRL: enabled, default map elsewhere
  reg(0xE000ED24) = reg(0xE000ED24) | (7u << 16);                   // SHCSR: MemManage, BusFault, UsageFault
  asm volatile("dsb\n\tisb" ::: "memory");
  std::memcpy(_sdata, _sidata, static_cast<std::size_t>(_edata - _sdata) * 4);
  std::memset(_sbss, 0, static_cast<std::size_t>(_ebss - _sbss) * 4);
  for (auto f = __preinit_array_start; f != __preinit_array_end; ++f) (*f)();
  for (auto f = __init_array_start; f != __init_array_end; ++f) (*f)();
  board::exit(main());
}

// A firmware never ends, so destructors of static objects need not be registered (newlib's
// atexit table would be code and RAM for nothing); crtbegin, left out with the start files,
// would define __dso_handle.
extern "C" {
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
}

// Faults print their kind, the faulting instruction (the PC stacked by the exception) and,
// for memory faults, the address, then end the program with status 1.
extern "C" [[noreturn]] __attribute__((used)) void fault_report(const std::uint32_t* frame, std::uint32_t kind) {
  static const char* const names[] = {"NMI", "hard fault", "memory management fault", "bus fault", "usage fault",
                                      "unexpected exception"};
  board::write("ctnn-mcu: ");
  board::write(names[kind]);
  board::write(" at pc ");
  board::write_int(static_cast<long>(frame[6]));
  board::write(", lr ");
  board::write_int(static_cast<long>(frame[5]));
  board::write(", sp ");
  board::write_int(static_cast<long>(reinterpret_cast<std::uintptr_t>(frame)));
  board::write(", CFSR ");
  board::write_int(static_cast<long>(*reinterpret_cast<volatile std::uint32_t*>(0xE000ED28)));
  board::write(", address ");
  board::write_int(static_cast<long>(*reinterpret_cast<volatile std::uint32_t*>(0xE000ED34)));
  board::write("\n");
  board::exit(1);
}
#define CTNN_MCU_FAULT_HANDLER(name, kind) \
  extern "C" __attribute__((naked)) void name() { asm volatile("mrs r0, msp\n\tmovs r1, #" #kind "\n\tb fault_report"); }
CTNN_MCU_FAULT_HANDLER(NMI_Handler, 0)
CTNN_MCU_FAULT_HANDLER(HardFault_Handler, 1)
CTNN_MCU_FAULT_HANDLER(MemManage_Handler, 2)
CTNN_MCU_FAULT_HANDLER(BusFault_Handler, 3)
CTNN_MCU_FAULT_HANDLER(UsageFault_Handler, 4)
CTNN_MCU_FAULT_HANDLER(Unused_Handler, 5)
#undef CTNN_MCU_FAULT_HANDLER

// The Cortex-M vector table: initial stack pointer, then the handlers (index 1 = reset).
using handler = void (*)();
extern "C" __attribute__((section(".isr_vector"), used)) const handler vector_table[16] = {
    reinterpret_cast<handler>(_estack), Reset_Handler, NMI_Handler, HardFault_Handler, MemManage_Handler,
    BusFault_Handler, UsageFault_Handler, nullptr, nullptr, nullptr, nullptr, Unused_Handler, Unused_Handler,
    nullptr, Unused_Handler, Unused_Handler};

namespace board {

void write(const char* s) { semihost(sys_write0, s); }

void exit(int status) {
  const std::uint32_t block[2] = {adp_stopped_application_exit, static_cast<std::uint32_t>(status)};
  semihost(sys_exit_extended, block);
  for (;;) {
  }
}

void write_int(long v) {
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = '\0';
  const bool negative = v < 0;
  unsigned long u = negative ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) *--p = '-';
  write(p);
}

void write_float(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  char hex[11] = "0x";
  for (int i = 0; i < 8; ++i) hex[2 + i] = "0123456789abcdef"[(bits >> (28 - 4 * i)) & 0xF];
  hex[10] = '\0';
  write(hex);
  // and roughly, in decimal: sign, integer part, six decimals (the host reads the bits)
  write(" (");
  if (v < 0) {
    write("-");
    v = -v;
  }
  const long whole = static_cast<long>(v);
  write_int(whole);
  write(".");
  long frac = static_cast<long>((v - static_cast<float>(whole)) * 1e6f);
  for (long scale = 100000; scale > 1 && frac < scale; scale /= 10) write("0");
  write_int(frac);
  write(")");
}

__attribute__((noinline)) void paint_stack() {
  stack_base = stack_pointer();  // a leaf: this is the caller's stack pointer
  // 64 bytes below it stay unpainted for this function's own use: the measure's resolution
  for (std::uint32_t* p = _sstack; p < stack_base - 16; ++p) *p = paint;
}

std::size_t stack_used() {
  const std::uint32_t* p = _sstack;
  while (p < stack_base - 16 && *p == paint) ++p;
  if (p == _sstack) {
    write("ctnn-mcu: the stack overflowed its region\n");
    exit(1);
  }
  return static_cast<std::size_t>(stack_base - p) * 4;
}

}  // namespace board
