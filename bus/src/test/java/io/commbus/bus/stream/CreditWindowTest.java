package io.commbus.bus.stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CreditWindowTest {

  @Test
  void grantsHalfAWindowAgainOnceHalfAWindowIsTaken() {
    CreditWindow credit = new CreditWindow(8);
    assertEquals(0, credit.takenOneThenDue());
    assertEquals(0, credit.takenOneThenDue());
    assertEquals(0, credit.takenOneThenDue());
    assertEquals(4, credit.takenOneThenDue());
    assertEquals(0, credit.takeDue(), "a grant resets the count");
  }

  @Test
  void itemsTakenWhileAGrantCannotBeSentAreGrantedTogetherLater() {
    CreditWindow credit = new CreditWindow(4);
    for (int i = 0; i < 5; i++) {
      credit.taken();
    }
    assertEquals(5, credit.takeDue());
  }

  @Test
  void aWindowOfOneGrantsEveryItem() {
    CreditWindow credit = new CreditWindow(1);
    assertEquals(1, credit.takenOneThenDue());
    assertEquals(1, credit.takenOneThenDue());
  }

  @Test
  void refusesAnEmptyWindow() {
    assertThrows(IllegalArgumentException.class, () -> new CreditWindow(0));
  }
}
