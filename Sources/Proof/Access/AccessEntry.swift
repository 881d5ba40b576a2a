/// One cell of the access model: what `role` holds for `command` on `object`, and which rows that reaches.
public struct AccessEntry: Sendable, Hashable {
    public var role: String
    /// The relation, qualified (`public.orders`).
    public var object: String
    public var command: AccessCommand
    public var privilege: AccessPrivilege
    public var reach: AccessReach

    public init(role: String, object: String, command: AccessCommand, privilege: AccessPrivilege, reach: AccessReach) {
        self.role = role
        self.object = object
        self.command = command
        self.privilege = privilege
        self.reach = reach
    }

    /// The key two models are matched on.
    public var key: Key { Key(role: role, object: object, command: command) }

    public struct Key: Sendable, Hashable {
        public var role: String
        public var object: String
        public var command: AccessCommand
    }
}
