public enum PolicyGenPlaceholder {}
