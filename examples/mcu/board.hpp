// What the firmware needs from the board, written for QEMU's mps2-an386: output and exit
// through semihosting, and the stack painting that measures how deep inference goes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace board {

/// Writes a NUL-terminated string to the host's console (semihosting SYS_WRITE0).
void write(const char* s);
/// Ends the program; QEMU exits with `status` (semihosting SYS_EXIT_EXTENDED).
[[noreturn]] void exit(int status);

void write_int(long v);
/// A float as its bits in hex (what the host compares, exactly) and as a decimal for people.
void write_float(float v);

/// Fills the free stack below the caller's frame with a pattern; stack_used() then tells how
/// many bytes below that frame were written since.
void paint_stack();
std::size_t stack_used();

}  // namespace board
