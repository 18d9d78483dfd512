# A λ function in assembly: copies its input to its output, upper-casing
# ASCII letters, and returns the number of bytes written.
# r1 = struct context { buf_o, buf_i, size_i, size_o_cap }
ldxdw %r2, [%r1+0]      # buf_o
ldxdw %r3, [%r1+8]      # buf_i
ldxdw %r4, [%r1+16]     # size_i
ldxdw %r5, [%r1+24]     # size_o_cap
jle %r4, %r5, sized
mov %r4, %r5            # never write past the output buffer
sized:
mov %r0, %r4
mov %r6, 0
loop:
jge %r6, %r4, done
mov %r7, %r3
add %r7, %r6
ldxb %r8, [%r7]
mov %r9, %r8
add %r9, -97            # r9 = c - 'a', unsigned
jgt %r9, 25, store      # not a lower-case letter
add %r8, -32
store:
mov %r7, %r2
add %r7, %r6
stxb [%r7], %r8
add %r6, 1
ja loop
done:
exit
