package dev.janus.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeTest {
    @Test
    void basics() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(3, s.rank());
        assertEquals(24, s.size());
        assertEquals(4, s.dim(-1));
        assertArrayEquals(new int[] {12, 4, 1}, s.strides());
        assertEquals("[2, 3, 4]", s.toString());
        assertEquals("[?, 4]", Shape.of(-1, 4).toString());
        assertEquals(1, Shape.scalar().size());
        assertFalse(Shape.of(-1, 4).isStatic());
        assertTrue(Shape.of(-1, 4).compatible(Shape.of(16, 4)));
    }

    @Test
    void broadcastingFollowsNumPy() {
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast("add", Shape.of(3, 1), Shape.of(2, 1, 4)));
        assertEquals(Shape.of(5), Shape.broadcast("add", Shape.scalar(), Shape.of(5)));
        assertEquals(Shape.of(-1, 64), Shape.broadcast("add", Shape.of(-1, 64), Shape.of(64)));
        assertEquals(Shape.of(16, 64), Shape.broadcast("add", Shape.of(-1, 64), Shape.of(16, 1)));
        ShapeException e = assertThrows(ShapeException.class, () -> Shape.broadcast("mul", Shape.of(2, 3), Shape.of(4, 3)));
        assertEquals("mul: cannot broadcast [2, 3] with [4, 3] (dimension 0 of the result: 2 vs 4)", e.getMessage());
    }

    @Test
    void badShapesAndAxesAreNamed() {
        ShapeException e = assertThrows(ShapeException.class, () -> Shape.of(2, -3));
        assertEquals("invalid shape [2, -3]: dimension 1 is -3 (dimensions are >= 0, or -1 for unknown)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Shape.of(2, 3).axis(-3, "softmax"));
        assertEquals("softmax: axis -3 is out of range for shape [2, 3] (rank 2)", e.getMessage());
        assertThrows(ShapeException.class, () -> Shape.of(-1, 4).size());
        assertThrows(ShapeException.class, () -> Shape.of(70000, 70000).size());
    }
}
