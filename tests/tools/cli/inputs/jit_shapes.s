# Small shapes for the JIT's golden dump: a division by a register that may
# be zero, a shift by a register, a counted loop, a jump over a move (a
# select), and a helper call.
    mov %r6, %r1
    ldxdw %r2, [%r1+16]
    mov %r0, 1000
    div %r0, %r2
    lsh %r0, %r2
loop:
    add %r2, -1
    jne %r2, 0, loop
    mov %r3, 5
    jsgt %r0, %r3, big
    mov %r0, %r3
big:
    mov %r1, 0
    call 157
    mov %r0, 0x12345678
    exit
