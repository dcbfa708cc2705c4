using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Citadel.Crypto;
using Citadel.Storage;

namespace Citadel.Iam.Identity;

/// <summary>
/// IAM users and their access keys, in the document store, and the credential lookup SigV4 uses for
/// them. Secrets are stored wrapped under the root key (a copy of the data directory does not reveal
/// them) and held unwrapped only in memory, loaded when the server is unsealed. The unique ids of the roles
/// that exist are held in memory the same way, for session tokens to be checked against when they
/// authenticate (SigV4 verification is synchronous and runs on every request).
/// </summary>
public sealed class IamDirectory(IDocumentStore store, Func<RootKey> rootKey, string accountId, string partition, TimeProvider time) : ICredentialStore, IRoleRegistry
{
    /// <summary>Users.</summary>
    public const string UsersCollection = "iam-users";
    /// <summary>Access keys.</summary>
    public const string KeysCollection = "iam-access-keys";
    /// <summary>The most access keys a user may have, as in AWS.</summary>
    public const int MaxKeysPerUser = 2;

    private readonly ConcurrentDictionary<string, Credential> _credentials = new(StringComparer.Ordinal);
    // Role id (AROA...) → role ARN of every role that exists. One server owns a data directory and every role write goes
    // through this class (under the write lock), so the map follows the store: loaded at unseal (IAM is served only
    // while unsealed), then changed with each role created or deleted.
    private readonly ConcurrentDictionary<string, string> _roleArns = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>The account.</summary>
    public string AccountId => accountId;

    /// <summary>The clock.</summary>
    public TimeProvider Time => time;

    /// <inheritdoc />
    public Credential? Find(string accessKeyId) => _credentials.GetValueOrDefault(accessKeyId);

    /// <inheritdoc />
    public string? RoleArnOf(string roleId) => _roleArns.GetValueOrDefault(roleId);

    /// <summary>Loads every active key's secret into memory, and the ids of the roles that exist (at unseal).</summary>
    public async Task LoadCredentialsAsync(CancellationToken cancellationToken = default)
    {
        await LoadRoleIdsAsync(cancellationToken).ConfigureAwait(false);
        var root = rootKey();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(KeysCollection, after, 500, cancellationToken).ConfigureAwait(false);
            foreach (var document in page)
            {
                var key = JsonSerializer.Deserialize<AccessKeyRecord>(document.Body)!;
                var user = await FindUserAsync(key.UserName, cancellationToken).ConfigureAwait(false);
                if (user is not null && key.Status == "Active") _credentials[key.AccessKeyId] = ToCredential(key, user, root);
            }
            if (page.Count < 500) return;
            after = page[^1].Id;
        }
    }

    // Under the write lock, so no role is created or deleted between the listing and the swap.
    private async Task LoadRoleIdsAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var roles = (await ListRolesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.RoleId, r => r.Arn, StringComparer.Ordinal);
            foreach (var id in _roleArns.Keys.Where(id => !roles.ContainsKey(id)).ToList()) _roleArns.TryRemove(id, out _);
            foreach (var (id, arn) in roles) _roleArns[id] = arn;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Forgets every secret (at seal).</summary>
    public void ForgetCredentials() => _credentials.Clear();

    /// <summary>The principal of a user.</summary>
    public Principal PrincipalOf(IamUserRecord user, string accessKeyId) => new("IAMUser", user.UserId, user.Arn, accountId, user.UserName, accessKeyId);

    /// <summary>The user, or null.</summary>
    public async Task<IamUserRecord?> FindUserAsync(string userName, CancellationToken cancellationToken = default)
    {
        var document = await store.GetAsync(UsersCollection, userName.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        return document is null ? null : JsonSerializer.Deserialize<IamUserRecord>(document.Body);
    }

    /// <summary>The user, or NoSuchEntity.</summary>
    public async Task<IamUserRecord> GetUserAsync(string userName, CancellationToken cancellationToken = default)
        => await FindUserAsync(userName, cancellationToken).ConfigureAwait(false)
            ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"The user with name {userName} cannot be found.");

    /// <summary>Users in name order (case-insensitive), after a marker.</summary>
    public async Task<IReadOnlyList<IamUserRecord>> ListUsersAsync(string? afterLowerName, int limit, CancellationToken cancellationToken = default)
        => (await store.ListAsync(UsersCollection, afterLowerName, limit, cancellationToken).ConfigureAwait(false))
            .Select(d => JsonSerializer.Deserialize<IamUserRecord>(d.Body)!).ToList();

    /// <summary>Creates a user; EntityAlreadyExists when the name (ignoring case) is taken.</summary>
    public async Task<IamUserRecord> CreateUserAsync(string userName, string path, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        var user = new IamUserRecord
        {
            UserName = userName,
            UserId = "AIDA" + RandomId(17),
            Path = path,
            Arn = $"arn:{partition}:iam::{accountId}:user{path}{userName}",
            CreateDate = TruncateToSeconds(time.GetUtcNow()),
        };
        foreach (var (k, v) in tags) user.Tags[k] = v;
        try
        {
            await store.WriteAsync([new DocumentWrite(UsersCollection, userName.ToLowerInvariant(), JsonSerializer.Serialize(user), 0)], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new IamException(IamErrorCode.EntityAlreadyExistsException, $"User with name {userName} already exists.");
        }
        return user;
    }

    /// <summary>Deletes a user; DeleteConflict while it still has access keys.</summary>
    public async Task DeleteUserAsync(string userName, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var user = await GetUserAsync(userName, cancellationToken).ConfigureAwait(false);
            if ((await KeysOfAsync(user.UserName, cancellationToken).ConfigureAwait(false)).Count > 0)
                throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must delete access keys first.");
            if (user.InlinePolicies.Count > 0 || user.AttachedPolicies.Count > 0)
                throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must delete policies first.");
            if (user.Groups.Count > 0)
                throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must remove the user from all groups first.");
            await store.WriteAsync([new DocumentWrite(UsersCollection, user.UserName.ToLowerInvariant(), null, null)], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Renames a user or moves it to another path (UpdateUser). The user keeps its id, access keys, policies, groups
    /// and tags: its document moves to the new name and its access keys follow it in the same atomic write, and the
    /// credentials in memory take the new ARN at once. EntityAlreadyExists when another user has the new name.
    /// </summary>
    public async Task<IamUserRecord> UpdateUserAsync(string userName, string? newUserName, string? newPath, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var oldId = userName.ToLowerInvariant();
            var document = await store.GetAsync(UsersCollection, oldId, cancellationToken).ConfigureAwait(false)
                ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"The user with name {userName} cannot be found.");
            var user = JsonSerializer.Deserialize<IamUserRecord>(document.Body)!;
            var name = newUserName ?? user.UserName;
            var path = newPath ?? user.Path;
            var newId = name.ToLowerInvariant();
            var moved = new IamUserRecord
            {
                UserName = name,
                UserId = user.UserId,
                Path = path,
                Arn = $"arn:{partition}:iam::{accountId}:user{path}{name}",
                CreateDate = user.CreateDate,
                Tags = user.Tags,
                InlinePolicies = user.InlinePolicies,
                AttachedPolicies = user.AttachedPolicies,
                Groups = user.Groups,
            };
            var writes = new List<DocumentWrite>();
            if (newId == oldId)
            {
                writes.Add(new DocumentWrite(UsersCollection, oldId, JsonSerializer.Serialize(moved), document.Revision));
            }
            else
            {
                if (await store.GetAsync(UsersCollection, newId, cancellationToken).ConfigureAwait(false) is not null)
                    throw new IamException(IamErrorCode.EntityAlreadyExistsException, $"User with name {name} already exists.");
                writes.Add(new DocumentWrite(UsersCollection, oldId, null, document.Revision));
                writes.Add(new DocumentWrite(UsersCollection, newId, JsonSerializer.Serialize(moved), 0));
            }
            var keys = await KeysOfAsync(user.UserName, cancellationToken).ConfigureAwait(false);
            foreach (var key in keys)
            {
                var keyDocument = await store.GetAsync(KeysCollection, key.AccessKeyId, cancellationToken).ConfigureAwait(false);
                if (keyDocument is null) continue;
                var renamed = new AccessKeyRecord { AccessKeyId = key.AccessKeyId, UserName = name, Status = key.Status, CreateDate = key.CreateDate, WrappedSecret = key.WrappedSecret };
                writes.Add(new DocumentWrite(KeysCollection, key.AccessKeyId, JsonSerializer.Serialize(renamed), keyDocument.Revision));
            }
            await store.WriteAsync(writes, cancellationToken).ConfigureAwait(false);
            // The signing keys now authenticate the user under its new name and ARN.
            foreach (var key in keys)
            {
                if (_credentials.TryGetValue(key.AccessKeyId, out var credential))
                    _credentials[key.AccessKeyId] = credential with { Principal = PrincipalOf(moved, key.AccessKeyId) };
            }
            return moved;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Applies <paramref name="change"/> to a fresh copy of the user and saves it atomically.</summary>
    public Task<T> MutateUserAsync<T>(string userName, Func<IamUserRecord, T> change, CancellationToken cancellationToken = default)
        => MutateAsync<IamUserRecord, T>(UsersCollection, userName.ToLowerInvariant(), $"The user with name {userName} cannot be found.",
            user => ValueTask.FromResult<(IamUserRecord?, T)>((user, change(user))), cancellationToken);

    /// <summary>
    /// The one read-modify-write of IAM documents: under the write lock, load a fresh copy, let
    /// <paramref name="change"/> return the record to save (null deletes it) and a result, and write it with
    /// the revision read, so no concurrent update is lost.
    /// </summary>
    private async Task<TResult> MutateAsync<TRecord, TResult>(string collection, string id, string notFound,
        Func<TRecord, ValueTask<(TRecord? Next, TResult Result)>> change, CancellationToken cancellationToken, Action<TRecord>? deleted = null)
        where TRecord : class
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await store.GetAsync(collection, id, cancellationToken).ConfigureAwait(false)
                ?? throw new IamException(IamErrorCode.NoSuchEntityException, notFound);
            var current = JsonSerializer.Deserialize<TRecord>(document.Body)!;
            var (next, result) = await change(current).ConfigureAwait(false);
            await store.WriteAsync([new DocumentWrite(collection, id, next is null ? null : JsonSerializer.Serialize(next), document.Revision)], cancellationToken).ConfigureAwait(false);
            // Still under the lock, once the deletion is durable.
            if (next is null) deleted?.Invoke(current);
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Managed policies.</summary>
    public const string PoliciesCollection = "iam-policies";

    /// <summary>The partition.</summary>
    public string Partition => partition;

    /// <summary>A managed policy, or NoSuchEntity.</summary>
    public async Task<ManagedPolicyRecord> GetPolicyAsync(string arn, CancellationToken cancellationToken = default)
    {
        var document = await store.GetAsync(PoliciesCollection, arn, cancellationToken).ConfigureAwait(false)
            ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {arn} does not exist or is not attachable.");
        return JsonSerializer.Deserialize<ManagedPolicyRecord>(document.Body)!;
    }

    /// <summary>All managed policies in ARN order.</summary>
    public async Task<IReadOnlyList<ManagedPolicyRecord>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<ManagedPolicyRecord>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(PoliciesCollection, after, 500, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Select(d => JsonSerializer.Deserialize<ManagedPolicyRecord>(d.Body)!));
            if (page.Count < 500) return result;
            after = page[^1].Id;
        }
    }

    /// <summary>Creates a managed policy (version v1, default).</summary>
    public async Task<ManagedPolicyRecord> CreatePolicyAsync(string name, string path, string document, string? description, CancellationToken cancellationToken = default)
    {
        var now = TruncateToSeconds(time.GetUtcNow());
        var policy = new ManagedPolicyRecord
        {
            PolicyName = name,
            PolicyId = "ANPA" + RandomId(17),
            Arn = $"arn:{partition}:iam::{accountId}:policy{path}{name}",
            Path = path,
            Description = description,
            CreateDate = now,
            UpdateDate = now,
            DefaultVersionId = "v1",
            Versions = [new PolicyVersionRecord { VersionId = "v1", Document = document, CreateDate = now }],
        };
        try
        {
            await store.WriteAsync([new DocumentWrite(PoliciesCollection, policy.Arn, JsonSerializer.Serialize(policy), 0)], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new IamException(IamErrorCode.EntityAlreadyExistsException, $"A policy called {name} already exists. Duplicate names are not allowed.");
        }
        return policy;
    }

    /// <summary>Applies <paramref name="change"/> to a fresh copy of a policy and saves it atomically.</summary>
    public Task<T> MutatePolicyAsync<T>(string arn, Func<ManagedPolicyRecord, T> change, CancellationToken cancellationToken = default)
        => MutateAsync<ManagedPolicyRecord, T>(PoliciesCollection, arn, $"Policy {arn} does not exist or is not attachable.", policy =>
        {
            var result = change(policy);
            policy.UpdateDate = TruncateToSeconds(time.GetUtcNow());
            return ValueTask.FromResult<(ManagedPolicyRecord?, T)>((policy, result));
        }, cancellationToken);

    /// <summary>Deletes a policy that is attached nowhere and has only its default version.</summary>
    public async Task DeletePolicyAsync(string arn, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await store.GetAsync(PoliciesCollection, arn, cancellationToken).ConfigureAwait(false)
                ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {arn} was not found.");
            var policy = JsonSerializer.Deserialize<ManagedPolicyRecord>(document.Body)!;
            if (policy.AttachmentCount > 0) throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete a policy attached to entities.");
            if (policy.Versions.Count > 1) throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete a policy with versions other than the default version; delete them first.");
            await store.WriteAsync([new DocumentWrite(PoliciesCollection, arn, null, document.Revision)], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Roles.</summary>
    public const string RolesCollection = "iam-roles";

    /// <summary>Attaches or detaches a managed policy to a user or role: the holder and the policy's attachment count change in one atomic write.</summary>
    public Task SetAttachmentAsync(string userName, string policyArn, bool attach, int maxPerHolder, CancellationToken cancellationToken = default)
        => SetAttachmentAsync<IamUserRecord>(UsersCollection, userName, "user", policyArn, attach, maxPerHolder, cancellationToken);

    /// <summary>Attaches or detaches a managed policy to a role.</summary>
    public Task SetRoleAttachmentAsync(string roleName, string policyArn, bool attach, int maxPerHolder, CancellationToken cancellationToken = default)
        => SetAttachmentAsync<IamRoleRecord>(RolesCollection, roleName, "role", policyArn, attach, maxPerHolder, cancellationToken);

    private async Task SetAttachmentAsync<T>(string collection, string name, string kind, string policyArn, bool attach, int maxPerHolder, CancellationToken cancellationToken)
        where T : IPolicyHolder
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var holderDocument = await store.GetAsync(collection, name.ToLowerInvariant(), cancellationToken).ConfigureAwait(false)
                ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"The {kind} with name {name} cannot be found.");
            var policyDocument = await store.GetAsync(PoliciesCollection, policyArn, cancellationToken).ConfigureAwait(false)
                ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {policyArn} does not exist or is not attachable.");
            var holder = JsonSerializer.Deserialize<T>(holderDocument.Body)!;
            var policy = JsonSerializer.Deserialize<ManagedPolicyRecord>(policyDocument.Body)!;
            var attached = holder.AttachedPolicies.Contains(policyArn);
            if (attach == attached)
            {
                if (attach) return; // attaching twice changes nothing, as in IAM
                throw new IamException(IamErrorCode.NoSuchEntityException, $"Policy {policyArn} was not found.");
            }
            if (attach && holder.AttachedPolicies.Count >= maxPerHolder)
                throw new IamException(IamErrorCode.LimitExceededException, $"Cannot exceed quota for PoliciesPer{char.ToUpperInvariant(kind[0])}{kind[1..]}: {maxPerHolder}");
            if (attach) holder.AttachedPolicies.Add(policyArn);
            else holder.AttachedPolicies.Remove(policyArn);
            policy.AttachmentCount += attach ? 1 : -1;
            await store.WriteAsync(
            [
                new DocumentWrite(collection, holderDocument.Id, JsonSerializer.Serialize(holder), holderDocument.Revision),
                new DocumentWrite(PoliciesCollection, policyArn, JsonSerializer.Serialize(policy), policyDocument.Revision),
            ], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Groups.</summary>
    public const string GroupsCollection = "iam-groups";

    /// <summary>
    /// The identity policies in force for a user or role: inline policies and the default versions of attached
    /// managed policies, and for a user those of every group it belongs to.
    /// </summary>
    public async Task<IReadOnlyList<(string Name, string Document)>> PoliciesOfAsync(IPolicyHolder holder, CancellationToken cancellationToken = default)
    {
        var holders = new List<IPolicyHolder> { holder };
        if (holder is IamUserRecord user)
        {
            foreach (var groupName in user.Groups)
            {
                if (await FindGroupAsync(groupName, cancellationToken).ConfigureAwait(false) is { } group) holders.Add(group);
            }
        }
        var result = new List<(string, string)>();
        foreach (var h in holders)
        {
            result.AddRange(h.InlinePolicies.Select(p => (p.Key, p.Value)));
            foreach (var arn in h.AttachedPolicies)
            {
                var document = await store.GetAsync(PoliciesCollection, arn, cancellationToken).ConfigureAwait(false);
                if (document is not null) result.Add((arn, JsonSerializer.Deserialize<ManagedPolicyRecord>(document.Body)!.DefaultDocument));
            }
        }
        return result;
    }

    /// <summary>The group, or null.</summary>
    public async Task<IamGroupRecord?> FindGroupAsync(string groupName, CancellationToken cancellationToken = default)
    {
        var document = await store.GetAsync(GroupsCollection, groupName.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        return document is null ? null : JsonSerializer.Deserialize<IamGroupRecord>(document.Body);
    }

    /// <summary>The group, or NoSuchEntity.</summary>
    public async Task<IamGroupRecord> GetGroupAsync(string groupName, CancellationToken cancellationToken = default)
        => await FindGroupAsync(groupName, cancellationToken).ConfigureAwait(false)
            ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"The group with name {groupName} cannot be found.");

    /// <summary>Groups in name order.</summary>
    public async Task<IReadOnlyList<IamGroupRecord>> ListGroupsAsync(CancellationToken cancellationToken = default)
        => (await store.ListAsync(GroupsCollection, null, 10_000, cancellationToken).ConfigureAwait(false))
            .Select(d => JsonSerializer.Deserialize<IamGroupRecord>(d.Body)!).ToList();

    /// <summary>Creates a group.</summary>
    public async Task<IamGroupRecord> CreateGroupAsync(string groupName, string path, CancellationToken cancellationToken = default)
    {
        var group = new IamGroupRecord
        {
            GroupName = groupName,
            GroupId = "AGPA" + RandomId(17),
            Path = path,
            Arn = $"arn:{partition}:iam::{accountId}:group{path}{groupName}",
            CreateDate = TruncateToSeconds(time.GetUtcNow()),
        };
        try
        {
            await store.WriteAsync([new DocumentWrite(GroupsCollection, groupName.ToLowerInvariant(), JsonSerializer.Serialize(group), 0)], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            throw new IamException(IamErrorCode.EntityAlreadyExistsException, $"Group with name {groupName} already exists.");
        }
        return group;
    }

    /// <summary>Applies <paramref name="change"/> to a fresh copy of a group and saves it atomically; a null result deletes it (only without members).</summary>
    public Task MutateGroupAsync(string groupName, Func<IamGroupRecord, IamGroupRecord?> change, CancellationToken cancellationToken = default)
        => MutateAsync<IamGroupRecord, bool>(GroupsCollection, groupName.ToLowerInvariant(), $"The group with name {groupName} cannot be found.", async group =>
        {
            var next = change(group);
            if (next is null)
            {
                var users = await store.ListAsync(UsersCollection, null, 10_000, cancellationToken).ConfigureAwait(false);
                if (users.Any(d => JsonSerializer.Deserialize<IamUserRecord>(d.Body)!.Groups.Contains(group.GroupName, StringComparer.OrdinalIgnoreCase)))
                    throw new IamException(IamErrorCode.DeleteConflictException, "Cannot delete entity, must remove users from group first.");
            }
            return (next, true);
        }, cancellationToken);

    /// <summary>Attaches or detaches a managed policy to a group.</summary>
    public Task SetGroupAttachmentAsync(string groupName, string policyArn, bool attach, int maxPerHolder, CancellationToken cancellationToken = default)
        => SetAttachmentAsync<IamGroupRecord>(GroupsCollection, groupName, "group", policyArn, attach, maxPerHolder, cancellationToken);

    /// <summary>The role, or null.</summary>
    public async Task<IamRoleRecord?> FindRoleAsync(string roleName, CancellationToken cancellationToken = default)
    {
        var document = await store.GetAsync(RolesCollection, roleName.ToLowerInvariant(), cancellationToken).ConfigureAwait(false);
        return document is null ? null : JsonSerializer.Deserialize<IamRoleRecord>(document.Body);
    }

    /// <summary>The role, or NoSuchEntity.</summary>
    public async Task<IamRoleRecord> GetRoleAsync(string roleName, CancellationToken cancellationToken = default)
        => await FindRoleAsync(roleName, cancellationToken).ConfigureAwait(false)
            ?? throw new IamException(IamErrorCode.NoSuchEntityException, $"The role with name {roleName} cannot be found.");

    /// <summary>Roles in name order.</summary>
    public async Task<IReadOnlyList<IamRoleRecord>> ListRolesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<IamRoleRecord>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(RolesCollection, after, 500, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Select(d => JsonSerializer.Deserialize<IamRoleRecord>(d.Body)!));
            if (page.Count < 500) return result;
            after = page[^1].Id;
        }
    }

    /// <summary>Creates a role.</summary>
    public async Task<IamRoleRecord> CreateRoleAsync(string roleName, string path, string trustPolicy, string? description, int maxSessionDuration,
        IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default)
    {
        var role = new IamRoleRecord
        {
            RoleName = roleName,
            RoleId = "AROA" + RandomId(17),
            Path = path,
            Arn = $"arn:{partition}:iam::{accountId}:role{path}{roleName}",
            CreateDate = TruncateToSeconds(time.GetUtcNow()),
            AssumeRolePolicyDocument = trustPolicy,
            Description = description,
            MaxSessionDuration = maxSessionDuration,
        };
        foreach (var (k, v) in tags) role.Tags[k] = v;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await store.WriteAsync([new DocumentWrite(RolesCollection, roleName.ToLowerInvariant(), JsonSerializer.Serialize(role), 0)], cancellationToken).ConfigureAwait(false);
            _roleArns[role.RoleId] = role.Arn;
        }
        catch (ConcurrencyConflictException)
        {
            throw new IamException(IamErrorCode.EntityAlreadyExistsException, $"Role with name {roleName} already exists.");
        }
        finally
        {
            _writeLock.Release();
        }
        return role;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to a fresh copy of a role and saves it atomically; a null result deletes it, and
    /// its sessions stop authenticating from then on (<see cref="RoleArnOf"/>).
    /// </summary>
    public Task MutateRoleAsync(string roleName, Func<IamRoleRecord, IamRoleRecord?> change, CancellationToken cancellationToken = default)
        => MutateAsync<IamRoleRecord, bool>(RolesCollection, roleName.ToLowerInvariant(), $"The role with name {roleName} cannot be found.",
            role => ValueTask.FromResult<(IamRoleRecord?, bool)>((change(role), true)), cancellationToken,
            deleted: role => _roleArns.TryRemove(role.RoleId, out _));

    /// <summary>The access keys of a user.</summary>
    public async Task<IReadOnlyList<AccessKeyRecord>> KeysOfAsync(string userName, CancellationToken cancellationToken = default)
    {
        var result = new List<AccessKeyRecord>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(KeysCollection, after, 500, cancellationToken).ConfigureAwait(false);
            result.AddRange(page.Select(d => JsonSerializer.Deserialize<AccessKeyRecord>(d.Body)!)
                .Where(k => string.Equals(k.UserName, userName, StringComparison.OrdinalIgnoreCase)));
            if (page.Count < 500) return result.OrderBy(k => k.CreateDate).ToList();
            after = page[^1].Id;
        }
    }

    /// <summary>Creates an access key; returns it with its secret, which is never shown again.</summary>
    public async Task<(AccessKeyRecord Key, string Secret)> CreateAccessKeyAsync(string userName, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var user = await GetUserAsync(userName, cancellationToken).ConfigureAwait(false);
            if ((await KeysOfAsync(user.UserName, cancellationToken).ConfigureAwait(false)).Count >= MaxKeysPerUser)
                throw new IamException(IamErrorCode.LimitExceededException, $"Cannot exceed quota for AccessKeysPerUser: {MaxKeysPerUser}");
            var root = rootKey();
            var id = "AKIA" + RandomId(16);
            var secret = RandomSecret();
            var key = new AccessKeyRecord
            {
                AccessKeyId = id,
                UserName = user.UserName,
                Status = "Active",
                CreateDate = TruncateToSeconds(time.GetUtcNow()),
                WrappedSecret = root.Wrap(Encoding.UTF8.GetBytes(secret), SecretContext(id)),
            };
            await store.WriteAsync([new DocumentWrite(KeysCollection, id, JsonSerializer.Serialize(key), 0)], cancellationToken).ConfigureAwait(false);
            _credentials[id] = new Credential(id, secret, PrincipalOf(user, id));
            return (key, secret);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Activates or deactivates a key (an inactive key authenticates nothing).</summary>
    public async Task UpdateAccessKeyAsync(string userName, string accessKeyId, string status, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (key, document, user) = await OwnedKeyAsync(userName, accessKeyId, cancellationToken).ConfigureAwait(false);
            key.Status = status;
            await store.WriteAsync([new DocumentWrite(KeysCollection, accessKeyId, JsonSerializer.Serialize(key), document.Revision)], cancellationToken).ConfigureAwait(false);
            if (status == "Active") _credentials[accessKeyId] = ToCredential(key, user, rootKey());
            else _credentials.TryRemove(accessKeyId, out _);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Deletes a key.</summary>
    public async Task DeleteAccessKeyAsync(string userName, string accessKeyId, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (_, document, _) = await OwnedKeyAsync(userName, accessKeyId, cancellationToken).ConfigureAwait(false);
            await store.WriteAsync([new DocumentWrite(KeysCollection, accessKeyId, null, document.Revision)], cancellationToken).ConfigureAwait(false);
            _credentials.TryRemove(accessKeyId, out _);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<(AccessKeyRecord Key, Document Document, IamUserRecord User)> OwnedKeyAsync(string userName, string accessKeyId, CancellationToken cancellationToken)
    {
        var user = await GetUserAsync(userName, cancellationToken).ConfigureAwait(false);
        var document = await store.GetAsync(KeysCollection, accessKeyId, cancellationToken).ConfigureAwait(false);
        var key = document is null ? null : JsonSerializer.Deserialize<AccessKeyRecord>(document.Body);
        if (key is null || !string.Equals(key.UserName, user.UserName, StringComparison.OrdinalIgnoreCase))
            throw new IamException(IamErrorCode.NoSuchEntityException, $"The Access Key with id {accessKeyId} cannot be found.");
        return (key, document!, user);
    }

    private Credential ToCredential(AccessKeyRecord key, IamUserRecord user, RootKey root)
        => new(key.AccessKeyId, Encoding.UTF8.GetString(root.Unwrap(key.WrappedSecret, SecretContext(key.AccessKeyId))), PrincipalOf(user, key.AccessKeyId));

    private static byte[] SecretContext(string accessKeyId) => CanonicalEncoding.EncodeFields("citadel/iam/access-key/v1", accessKeyId);

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    /// <summary>A random IAM-style identifier suffix.</summary>
    public static string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <summary>A random 40-character secret access key.</summary>
    public static string RandomSecret()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return string.Create(40, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }
}
