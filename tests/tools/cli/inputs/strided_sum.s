# A λ function: the sum of the input's 8-byte words, read through a pointer
# that moves by 8 next to a word counter. The read is guarded without
# --prove and proven with it.
    ldxdw %r2, [%r1+16]
    ldxdw %r4, [%r1+8]
    ldxdw %r6, [%r1+24]
    ldxdw %r7, [%r1+0]
    mov %r0, 0
    rsh %r2, 3
    mov %r3, 0
    jeq %r2, 0, done
loop:
    ldxdw %r5, [%r4]
    add %r0, %r5
    add %r4, 8
    add %r3, 1
    jlt %r3, %r2, loop
done:
    jlt %r6, 8, small
    stxdw [%r7], %r0
    mov %r0, 8
    exit
small:
    mov %r0, -28
    exit
