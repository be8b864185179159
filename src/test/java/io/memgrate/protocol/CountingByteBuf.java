package io.memgrate.protocol;

import java.nio.charset.Charset;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.util.ByteProcessor;

/**
 * A growing heap buffer that counts the bytes read from it, so a test can tell whether a decoder reads each byte
 * once or scans again from the start. It hides its array, so no read can bypass the count.
 */
final class CountingByteBuf extends UnpooledHeapByteBuf {

    private long examined;

    CountingByteBuf() {
        super(UnpooledByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE);
    }

    long examined() {
        return examined;
    }

    @Override
    public boolean hasArray() {
        return false;
    }

    @Override
    public byte[] array() {
        throw new UnsupportedOperationException("reads must go through the counted methods");
    }

    @Override
    public int arrayOffset() {
        throw new UnsupportedOperationException("reads must go through the counted methods");
    }

    @Override
    public byte getByte(int index) {
        examined++;
        return super.getByte(index);
    }

    @Override
    public ByteBuf getBytes(int index, byte[] dst, int dstIndex, int length) {
        examined += length;
        return super.getBytes(index, dst, dstIndex, length);
    }

    @Override
    public ByteBuf getBytes(int index, ByteBuf dst, int dstIndex, int length) {
        examined += length;
        return super.getBytes(index, dst, dstIndex, length);
    }

    @Override
    public int forEachByte(int index, int length, ByteProcessor processor) {
        return super.forEachByte(index, length, value -> {
            examined++;
            return processor.process(value);
        });
    }

    @Override
    public int indexOf(int fromIndex, int toIndex, byte value) {
        examined += Math.abs(toIndex - fromIndex);
        return super.indexOf(fromIndex, toIndex, value);
    }

    @Override
    public String toString(int index, int length, Charset charset) {
        examined += length;
        return super.toString(index, length, charset);
    }
}
