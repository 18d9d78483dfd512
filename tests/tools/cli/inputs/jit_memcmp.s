# A λ function whose memcmp the JIT runs inline: the first 8 bytes of the
# input against the next 8.
    ldxdw %r2, [%r1+16]
    mov %r0, 0
    jlt %r2, 16, out
    ldxdw %r1, [%r1+8]
    mov %r2, %r1
    add %r2, 8
    mov %r3, 8
    call 161
out:
    exit
