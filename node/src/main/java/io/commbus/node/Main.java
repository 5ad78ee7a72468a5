package io.commbus.node;

public final class Main {
  public static void main(String[] args) {
  }
}
